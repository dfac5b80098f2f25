"""A log group without retention (never expires), native provider: cost-log-retention must reject it."""

import pulumi_aws_native as aws_native

aws_native.logs.LogGroup("app-logs", log_group_name="/app/never-expires")
