"""The smallest RDS instance still bills every hour: cost-denied-services must reject it."""

import pulumi_aws as aws

aws.rds.Instance(
    "db",
    engine="postgres",
    instance_class="db.t4g.micro",
    allocated_storage=20,
    username="app",
    manage_master_user_password=True,
    skip_final_snapshot=True,
)
