"""Uses the provider functions programs commonly call and parses what they return."""

import base64
import json

import pulumi
import pulumi_aws as aws

identity = aws.get_caller_identity()
region = aws.get_region()
partition = aws.get_partition()
zones = aws.get_availability_zones()
token = aws.ecr.get_authorization_token()
user, password = base64.b64decode(token.authorization_token).decode().split(":")
assert user == token.user_name and password == token.password
table = aws.dynamodb.Table(
    "reports", hash_key="pk", attributes=[{"name": "pk", "type": "S"}], billing_mode="PAY_PER_REQUEST"
)
document = aws.iam.get_policy_document_output(
    statements=[
        {
            "sid": "ReadWrite",
            "actions": ["dynamodb:GetItem", "dynamodb:PutItem"],
            "resources": [table.arn, table.arn.apply(lambda arn: f"{arn}/index/*")],
        },
        {
            "actions": ["sts:AssumeRole"],
            "principals": [{"type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"]}],
            "conditions": [
                {"test": "StringEquals", "variable": "aws:SourceAccount", "values": [identity.account_id]}
            ],
        },
    ]
)
role = aws.iam.Role("task", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
aws.iam.RolePolicy("table", role=role.id, policy=document.json)
default_vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [default_vpc.id]}])
ami = aws.ec2.get_ami(
    most_recent=True, owners=["amazon"], filters=[{"name": "name", "values": ["al2023-ami-*-arm64"]}]
)
param = aws.ssm.get_parameter(name="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64")

pulumi.export("account", identity.account_id)
pulumi.export("region", region.region)
pulumi.export("regionName", region.name)
pulumi.export("partition", partition.partition)
pulumi.export("zones", zones.names)
pulumi.export("zoneIds", zones.zone_ids)
pulumi.export("statementCount", document.json.apply(lambda text: len(json.loads(text)["Statement"])))
pulumi.export("subnetCount", len(subnets.ids))
pulumi.export("ami", ami.id)
pulumi.export("ssm", param.value)
pulumi.export("proxy", token.proxy_endpoint)
