"""Reads object/list/int config and builds a component; `main: infra/` in Pulumi.yaml points here."""

import pulumi
import pulumi_aws as aws
from storage import Storage

config = pulumi.Config()
settings = config.require_object("settings")
owners = config.require_object("owners")
outer = pulumi.ComponentResource("capture:app:App", "app")
store = Storage(
    "data", config.require_int("bucketCount"), settings["tags"], pulumi.ResourceOptions(parent=outer)
)
provider = aws.Provider("frankfurt", region="eu-central-1")
aws.sns.Topic("alerts", opts=pulumi.ResourceOptions(provider=provider))
pulumi.export("logsBucket", store.logs.bucket)
pulumi.export("owners", owners)
