"""Resource types known to cost nothing by themselves (their cost, if any, is priced elsewhere)."""

from __future__ import annotations

from costguard.pricing.tokens import type_key

# Exact types. Several are free because another resource carries their cost: a task definition is
# priced through its ECS service, autoscaling targets/actions shape the service's task-hours, API
# Gateway routes/stages/integrations are billed per request on the API, listeners and target groups
# are included in the load balancer-hours, a secret version in the secret.
FREE_TYPES = frozenset(
    {
        "pulumi:pulumi:Stack",
        # VPC plumbing
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "aws:ec2/route:Route",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/internetGatewayAttachment:InternetGatewayAttachment",
        "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
        "aws:ec2/networkAcl:NetworkAcl",
        "aws:ec2/networkAclRule:NetworkAclRule",
        "aws:ec2/networkAclAssociation:NetworkAclAssociation",
        "aws:ec2/defaultVpc:DefaultVpc",
        "aws:ec2/defaultSubnet:DefaultSubnet",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:ec2/defaultRouteTable:DefaultRouteTable",
        "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
        "aws:ec2/vpcDhcpOptions:VpcDhcpOptions",
        "aws:ec2/vpcDhcpOptionsAssociation:VpcDhcpOptionsAssociation",
        "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation",
        "aws:ec2/eipAssociation:EipAssociation",
        "aws-native:ec2:Vpc",
        "aws-native:ec2:Subnet",
        "aws-native:ec2:SecurityGroup",
        "aws-native:ec2:SecurityGroupIngress",
        "aws-native:ec2:SecurityGroupEgress",
        "aws-native:ec2:Route",
        "aws-native:ec2:RouteTable",
        "aws-native:ec2:SubnetRouteTableAssociation",
        "aws-native:ec2:InternetGateway",
        "aws-native:ec2:VpcGatewayAttachment",
        # ECS: the cluster and task definitions cost nothing; tasks are priced on the service
        "aws:ecs/cluster:Cluster",
        "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
        "aws:ecs/capacityProvider:CapacityProvider",
        "aws:ecs/taskDefinition:TaskDefinition",
        "aws-native:ecs:Cluster",
        "aws-native:ecs:ClusterCapacityProviderAssociations",
        "aws-native:ecs:TaskDefinition",
        # Application Auto Scaling (shapes the ECS service's task-hours). Scaling policies are priced:
        # a target tracking policy makes AWS create CloudWatch alarms (estimators/cloudwatch.py).
        "aws:appautoscaling/target:Target",
        "aws:appautoscaling/scheduledAction:ScheduledAction",
        "aws-native:applicationautoscaling:ScalableTarget",
        # API Gateway parts billed through the API's requests
        "aws:apigatewayv2/stage:Stage",
        "aws:apigatewayv2/route:Route",
        "aws:apigatewayv2/integration:Integration",
        "aws:apigatewayv2/vpcLink:VpcLink",  # VPC links for HTTP APIs: no line item in the price list
        "aws:apigatewayv2/deployment:Deployment",
        "aws:apigatewayv2/authorizer:Authorizer",
        "aws:apigatewayv2/apiMapping:ApiMapping",
        "aws:apigateway/resource:Resource",
        "aws:apigateway/method:Method",
        "aws:apigateway/integration:Integration",
        "aws:apigateway/deployment:Deployment",
        "aws:apigateway/stage:Stage",
        "aws:apigateway/methodResponse:MethodResponse",
        "aws:apigateway/integrationResponse:IntegrationResponse",
        "aws:apigateway/account:Account",
        "aws-native:apigatewayv2:Stage",
        "aws-native:apigatewayv2:Route",
        "aws-native:apigatewayv2:Integration",
        "aws-native:apigatewayv2:VpcLink",
        # Load balancer parts, included in the load balancer-hours
        *(
            f"aws:{module}/{kind}"
            for module in ("lb", "alb", "elasticloadbalancingv2", "applicationloadbalancing")
            for kind in (
                "listener:Listener",
                "listenerRule:ListenerRule",
                "targetGroup:TargetGroup",
                "targetGroupAttachment:TargetGroupAttachment",
                "listenerCertificate:ListenerCertificate",
            )
        ),
        "aws-native:elasticloadbalancingv2:Listener",
        "aws-native:elasticloadbalancingv2:ListenerRule",
        "aws-native:elasticloadbalancingv2:TargetGroup",
        # Messaging, monitoring, budgets
        "aws:sns/topic:Topic",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws-native:sns:Topic",
        "aws:budgets/budget:Budget",
        "aws-native:budgets:Budget",
        "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
        "aws:cloudwatch/logStream:LogStream",
        "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
        "aws:cloudwatch/logMetricFilter:LogMetricFilter",
        # ECR policies, KMS aliases, secret versions and policies, DNS records, table items
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        "aws:ecr/repositoryPolicy:RepositoryPolicy",
        "aws:kms/alias:Alias",
        "aws-native:kms:Alias",
        "aws:secretsmanager/secretVersion:SecretVersion",
        "aws:secretsmanager/secretPolicy:SecretPolicy",
        "aws:route53/record:Record",
        "aws-native:route53:RecordSet",
        "aws:servicediscovery/httpNamespace:HttpNamespace",  # no hosted zone behind an HTTP namespace
        "aws-native:servicediscovery:HttpNamespace",
        "aws:dynamodb/tableItem:TableItem",
        "aws:dynamodb/contributorInsights:ContributorInsights",
        "aws:wafv2/webAclAssociation:WebAclAssociation",
        "aws:wafv2/ruleGroup:RuleGroup",  # billed as a rule of the web ACL that uses it
        "aws:wafv2/ipSet:IpSet",
        "aws:lambda/permission:Permission",
        "aws:s3/bucketNotification:BucketNotification",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketVersioningV2:BucketVersioningV2",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    }
)

# Every IAM type (roles, policies, attachments, OIDC providers, ...) and every provider is free, and so
# are the resources of providers that bill nothing on AWS: random values, local commands, image builds
# (their storage is priced on the ECR repository), TLS keys.
FREE_PREFIXES = (
    "aws:iam/",
    "aws-native:iam:",
    "pulumi:providers:",
    "pulumi:pulumi:",
    "random:",
    "command:",
    "docker:",
    "docker-build:",
    "tls:",
    "time:",
)


_FREE_KEYS = frozenset(type_key(t) for t in FREE_TYPES)
_FREE_PREFIX_KEYS = tuple(type_key(p) for p in FREE_PREFIXES)


def is_free_type(type_: str) -> bool:
    """Whether the type is free; aws-native tokens in any letter case (costguard.pricing.tokens)."""
    if not isinstance(type_, str):
        return False
    key = type_key(type_)
    return key in _FREE_KEYS or key.startswith(_FREE_PREFIX_KEYS)
