"""Plausible outputs for resources and provider functions when a program runs under Pulumi's mocks.

Programs read outputs (an ARN to build a policy, a repository URL to tag an image, a region to name
things) and some parse them (JSON policy documents, base64 ECR credentials), so every value here has
the shape the real provider returns. Values are derived from the inputs and a hash of the resource's
URN, so two captures of the same program give the same graph.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"


def region_from_config(config: dict[str, Any]) -> str:
    """The region mocks answer with: the one costguard.region finds (aws:region, aws-native:region,
    AWS_REGION, AWS_DEFAULT_REGION), else DEFAULT_REGION so the program still runs."""
    from costguard.region import from_config, from_environment

    choice = from_config(config) or from_environment()
    return choice.region if choice and choice.region else DEFAULT_REGION


def short_hash(text: str, length: int = 8) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:length]


def availability_zones(region: str, count: int = 3) -> list[str]:
    return [f"{region}{chr(ord('a') + i)}" for i in range(count)]


_DIRECTIONS = {
    "east": "e",
    "west": "w",
    "north": "n",
    "south": "s",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}


def zone_ids(region: str, count: int = 3) -> list[str]:
    """AWS zone IDs look like `use1-az1` for us-east-1 and `euw1-az1` for eu-west-1."""
    parts = region.split("-")
    if len(parts) == 3:
        prefix = parts[0] + _DIRECTIONS.get(parts[1], parts[1][:1]) + parts[2]
    else:
        prefix = region.replace("-", "")
    return [f"{prefix}-az{i + 1}" for i in range(count)]


# --- provider functions (invokes) ---------------------------------------------------------------


def call_outputs(token: str, args: dict[str, Any], region: str) -> dict[str, Any]:
    """What a provider function returns; {} for functions nobody has taught us (the program keeps going)."""
    handler = _CALLS.get(token)
    return handler(args, region) if handler else {}


def _get_region(args: dict[str, Any], region: str) -> dict[str, Any]:
    # aws v7 renamed the result field `name` to `region`; return both so either SDK reads it.
    name = args.get("region") or args.get("name") or region
    return {
        "id": name,
        "name": name,
        "region": name,
        "description": name,
        "endpoint": f"ec2.{name}.amazonaws.com",
    }


def _caller_identity(args: dict[str, Any], region: str) -> dict[str, Any]:
    return {
        "id": ACCOUNT_ID,
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/costguard",
        "userId": "AIDACOSTGUARDEXAMPLE",
    }


def _availability_zones(args: dict[str, Any], region: str) -> dict[str, Any]:
    return {
        "id": region,
        "names": availability_zones(region),
        "zoneIds": zone_ids(region),
        "groupNames": [region],
        "state": args.get("state") or "available",
    }


def _partition(args: dict[str, Any], region: str) -> dict[str, Any]:
    return {
        "id": "aws",
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
    }


def _ecr_token(args: dict[str, Any], region: str) -> dict[str, Any]:
    registry = args.get("registryId") or ACCOUNT_ID
    return {
        "id": region,
        "authorizationToken": base64.b64encode(b"AWS:password").decode(),
        "userName": "AWS",
        "password": "password",
        "proxyEndpoint": f"https://{registry}.dkr.ecr.{region}.amazonaws.com",
        "expiresAt": "2099-01-01T00:00:00Z",
        "registryId": registry,
    }


DEFAULT_VPC_ID = "vpc-0default000000000"


def _default_subnet_ids(region: str) -> list[str]:
    return [f"subnet-0default{short_hash(zone, 9)}" for zone in availability_zones(region)]


def _get_vpc(args: dict[str, Any], region: str) -> dict[str, Any]:
    vpc_id = args.get("id") or DEFAULT_VPC_ID
    return {
        "id": vpc_id,
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:vpc/{vpc_id}",
        "cidrBlock": args.get("cidrBlock") or "172.31.0.0/16",
        "default": vpc_id == DEFAULT_VPC_ID,
        "enableDnsHostnames": True,
        "enableDnsSupport": True,
        "instanceTenancy": "default",
        "mainRouteTableId": "rtb-0default000000000",
        "ownerId": ACCOUNT_ID,
        "state": "available",
        "tags": args.get("tags") or {},
    }


def _get_subnets(args: dict[str, Any], region: str) -> dict[str, Any]:
    return {"id": region, "ids": _default_subnet_ids(region)}


def _get_subnet(args: dict[str, Any], region: str) -> dict[str, Any]:
    subnet_id = args.get("id") or _default_subnet_ids(region)[0]
    return {
        "id": subnet_id,
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:subnet/{subnet_id}",
        "vpcId": args.get("vpcId") or DEFAULT_VPC_ID,
        "availabilityZone": availability_zones(region)[0],
        "availabilityZoneId": zone_ids(region)[0],
        "cidrBlock": "172.31.0.0/20",
        "mapPublicIpOnLaunch": True,
        "defaultForAz": True,
        "ownerId": ACCOUNT_ID,
        "state": "available",
    }


def _get_ami(args: dict[str, Any], region: str) -> dict[str, Any]:
    ami = "ami-0" + short_hash(json.dumps(args, sort_keys=True, default=str), 16)
    return {
        "id": ami,
        "imageId": ami,
        "arn": f"arn:aws:ec2:{region}::image/{ami}",
        "architecture": "arm64" if "arm64" in json.dumps(args, default=str) else "x86_64",
        "name": "costguard-mock-ami",
        "ownerId": "137112412989",
        "rootDeviceName": "/dev/xvda",
        "rootDeviceType": "ebs",
        "virtualizationType": "hvm",
        "state": "available",
    }


def _get_parameter(args: dict[str, Any], region: str) -> dict[str, Any]:
    name = str(args.get("name") or "")
    value = "ami-0" + short_hash(name, 16) if "/ami" in name else "costguard-mock-value"
    return {
        "id": name,
        "name": name,
        "arn": f"arn:aws:ssm:{region}:{ACCOUNT_ID}:parameter/{name.lstrip('/')}",
        "type": "String",
        "value": value,
        "insecureValue": value,
        "version": 1,
    }


def _awsx_default_vpc(args: dict[str, Any], region: str) -> dict[str, Any]:
    # The default VPC has one public subnet per AZ and no private subnets.
    return {"vpcId": DEFAULT_VPC_ID, "publicSubnetIds": _default_subnet_ids(region), "privateSubnetIds": []}


def policy_document(args: dict[str, Any]) -> dict[str, Any]:
    """Render the IAM JSON policy that aws.iam.get_policy_document would (Terraform's rendering rules)."""
    doc: dict[str, Any] = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        doc["Id"] = args["policyId"]
    statements = []
    for source in args.get("sourcePolicyDocuments") or []:
        try:
            statements.extend(json.loads(source).get("Statement", []))
        except (ValueError, AttributeError):
            pass
    for st in args.get("statements") or []:
        out: dict[str, Any] = {}
        if st.get("sid"):
            out["Sid"] = st["sid"]
        out["Effect"] = st.get("effect") or "Allow"
        for key, name in (("actions", "Action"), ("notActions", "NotAction")):
            if st.get(key):
                out[name] = _one_or_many(st[key])
        for key, name in (("resources", "Resource"), ("notResources", "NotResource")):
            if st.get(key):
                out[name] = _one_or_many(st[key])
        for key, name in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if st.get(key):
                out[name] = _principals(st[key])
        if st.get("conditions"):
            cond: dict[str, dict[str, Any]] = {}
            for c in st["conditions"]:
                cond.setdefault(c["test"], {})[c["variable"]] = _one_or_many(c.get("values") or [])
            out["Condition"] = cond
        statements.append(out)
    doc["Statement"] = statements
    text = json.dumps(doc, indent=2)
    return {"id": short_hash(text, 10), "json": text, "minifiedJson": json.dumps(doc, separators=(",", ":"))}


def _one_or_many(values: Any) -> Any:
    values = list(values) if isinstance(values, (list, tuple)) else [values]
    return values[0] if len(values) == 1 else values


def _principals(principals: list[dict[str, Any]]) -> Any:
    if len(principals) == 1 and principals[0].get("type") == "*":
        return "*"
    merged: dict[str, list[str]] = {}
    for p in principals:
        merged.setdefault(p.get("type") or "AWS", []).extend(p.get("identifiers") or [])
    return {key: _one_or_many(ids) for key, ids in merged.items()}


_CALLS = {
    "aws:index/getRegion:getRegion": _get_region,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:index/getPartition:getPartition": _partition,
    "aws:iam/getPolicyDocument:getPolicyDocument": lambda args, region: policy_document(args),
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": _ecr_token,
    "aws:ec2/getVpc:getVpc": _get_vpc,
    "aws:ec2/getSubnets:getSubnets": _get_subnets,
    "aws:ec2/getSubnetIds:getSubnetIds": _get_subnets,
    "aws:ec2/getSubnet:getSubnet": _get_subnet,
    "aws:ec2/getAmi:getAmi": _get_ami,
    "aws:ssm/getParameter:getParameter": _get_parameter,
    "awsx:ec2:getDefaultVpc": _awsx_default_vpc,
}


# --- resources ----------------------------------------------------------------------------------

# Resource-id prefixes AWS uses, for the types whose ids programs commonly pass around.
_ID_PREFIXES = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:ec2/instance:Instance": "i-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
}

# Types whose ids are short opaque strings rather than a name (API Gateway ids, KMS key ids).
_OPAQUE_IDS = {
    "aws:apigatewayv2/api:Api",
    "aws:apigatewayv2/vpcLink:VpcLink",
    "aws:apigatewayv2/integration:Integration",
    "aws:apigatewayv2/route:Route",
    "aws:apigateway/restApi:RestApi",
}

# Type-token module -> ARN service, where they differ.
_ARN_SERVICES = {
    "lb": "elasticloadbalancing",
    "alb": "elasticloadbalancing",
    "elb": "elasticloadbalancing",
    "apigatewayv2": "apigateway",
    "apigateway": "apigateway",
    "cloudwatch": "cloudwatch",
    "appautoscaling": "application-autoscaling",
    "budgets": "budgets",
    "cognito": "cognito-idp",
    "sfn": "states",
    "secretsmanager": "secretsmanager",
    "servicediscovery": "servicediscovery",
    "wafv2": "wafv2",
}

# Types whose ARN is built differently from `arn:aws:SERVICE:REGION:ACCOUNT:KIND/NAME`.
_GLOBAL_SERVICES = {"iam", "route53", "budgets", "cloudfront"}


@dataclass
class MockedResource:
    id: str
    outputs: dict[str, Any]


def resource_outputs(type_: str, name: str, urn: str, inputs: dict[str, Any], region: str) -> MockedResource:
    """The id and outputs a provider would return on create: inputs echoed plus computed properties."""
    digest = short_hash(urn, 17)
    if type_.startswith("pulumi:providers:"):
        return MockedResource(id=short_hash(urn, 8) + "-provider", outputs=dict(inputs))
    pkg, module, kind = _split_type(type_)
    phys_name = inputs.get("name") or f"{name}-{digest[:7]}"
    resource_id = _resource_id(type_, str(phys_name), digest)
    out = dict(inputs)
    out.setdefault("name", phys_name)
    if pkg == "aws":
        out.setdefault("arn", _arn(module, kind, str(phys_name), resource_id, region))
        out.setdefault("tagsAll", inputs.get("tags") or {})
    out.update(_special_outputs(type_, str(phys_name), resource_id, digest, out, region))
    if type_.split(":")[1].split("/")[0] in ("lb", "alb") and "arn" in out:
        resource_id = out["arn"]  # load balancers, target groups and listeners are identified by their ARN
    out["id"] = resource_id
    return MockedResource(id=resource_id, outputs=out)


def _resource_id(type_: str, phys_name: str, digest: str) -> str:
    if type_ in _ID_PREFIXES:
        return f"{_ID_PREFIXES[type_]}0{digest}"
    if type_ in _OPAQUE_IDS:
        return digest[:10]
    if type_ == "aws:kms/key:Key":
        h = short_hash(digest, 32)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
    return phys_name


def _split_type(type_: str) -> tuple[str, str, str]:
    parts = type_.split(":")
    pkg = parts[0]
    module = parts[1].split("/")[0] if len(parts) > 1 else ""
    kind = parts[2] if len(parts) > 2 else ""
    return pkg, module, kind


def _kebab(kind: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", kind).lower()


def _arn(module: str, kind: str, phys_name: str, resource_id: str, region: str) -> str:
    service = _ARN_SERVICES.get(module, module)
    if module == "s3":
        return f"arn:aws:s3:::{phys_name}"
    if module == "iam":
        return f"arn:aws:iam::{ACCOUNT_ID}:{kind[:1].lower() + kind[1:]}/{phys_name}"
    if module == "sns":
        return f"arn:aws:sns:{region}:{ACCOUNT_ID}:{phys_name}"
    if module == "sqs":
        return f"arn:aws:sqs:{region}:{ACCOUNT_ID}:{phys_name}"
    if module == "cloudwatch" and kind == "LogGroup":
        return f"arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:{phys_name}"
    if module == "cloudwatch" and kind == "MetricAlarm":
        return f"arn:aws:cloudwatch:{region}:{ACCOUNT_ID}:alarm:{phys_name}"
    if module == "lambda":
        return f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{phys_name}"
    if module == "ec2":
        return f"arn:aws:ec2:{region}:{ACCOUNT_ID}:{_kebab(kind)}/{resource_id}"
    region_part = "" if module in _GLOBAL_SERVICES else region
    return f"arn:aws:{service}:{region_part}:{ACCOUNT_ID}:{_kebab(kind)}/{phys_name}"


def ecr_repository_url(repo_name: str, region: str) -> str:
    return f"{ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com/{repo_name}"


def image_digest(seed: str) -> str:
    return "sha256:" + hashlib.sha256(seed.encode()).hexdigest()


def _special_outputs(
    type_: str, phys_name: str, resource_id: str, digest: str, props: dict[str, Any], region: str
) -> dict[str, Any]:
    if type_ == "aws:ecr/repository:Repository":
        return {"repositoryUrl": ecr_repository_url(phys_name, region), "registryId": ACCOUNT_ID}
    if type_ == "aws:apigatewayv2/api:Api":
        api_id = resource_id
        return {
            "apiEndpoint": f"https://{api_id}.execute-api.{region}.amazonaws.com",
            "executionArn": f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{api_id}",
            "arn": f"arn:aws:apigateway:{region}::/apis/{api_id}",
        }
    if type_ == "aws:apigatewayv2/stage:Stage":
        api = props.get("apiId") or digest[:10]
        stage = props.get("name") or "$default"
        path = "" if stage == "$default" else stage
        return {"invokeUrl": f"https://{api}.execute-api.{region}.amazonaws.com/{path}"}
    if type_ in ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"):
        kind = "net" if props.get("loadBalancerType") == "network" else "app"
        suffix = f"{kind}/{phys_name}/{digest[:16]}"
        return {
            "arn": f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT_ID}:loadbalancer/{suffix}",
            "arnSuffix": suffix,
            "dnsName": f"{phys_name}-{int(digest[:8], 16) % 10**9}.{region}.elb.amazonaws.com",
            "zoneId": "Z32O12XQLNTSW2",
        }
    if type_ in ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"):
        suffix = f"targetgroup/{phys_name}/{digest[:16]}"
        return {"arn": f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT_ID}:{suffix}", "arnSuffix": suffix}
    if type_ in ("aws:lb/listener:Listener", "aws:alb/listener:Listener"):
        elb = f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT_ID}"
        return {"arn": f"{elb}:listener/app/{phys_name}/{digest[:16]}"}
    if type_ == "aws:ec2/eip:Eip":
        n = int(digest[:6], 16)
        return {
            "allocationId": resource_id,
            "publicIp": f"203.0.{n % 256}.{(n >> 8) % 254 + 1}",
            "domain": "vpc",
        }
    if type_ == "aws:ec2/vpc:Vpc":
        return {
            "defaultRouteTableId": f"rtb-1{digest}",
            "mainRouteTableId": f"rtb-1{digest}",
            "defaultSecurityGroupId": f"sg-1{digest}",
            "defaultNetworkAclId": f"acl-1{digest}",
            "ownerId": ACCOUNT_ID,
        }
    if type_ == "aws:ec2/securityGroup:SecurityGroup":
        return {"ownerId": ACCOUNT_ID}
    if type_ == "aws:cloudwatch/logGroup:LogGroup":
        return {"arn": f"arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:{phys_name}"}
    if type_ == "aws:dynamodb/table:Table":
        return {
            "arn": f"arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{phys_name}",
            "streamArn": f"arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{phys_name}/stream/2024-01-01",
        }
    if type_ == "aws:ecs/cluster:Cluster":
        return {"arn": f"arn:aws:ecs:{region}:{ACCOUNT_ID}:cluster/{phys_name}"}
    if type_ == "aws:ecs/service:Service":
        return {"arn": f"arn:aws:ecs:{region}:{ACCOUNT_ID}:service/{phys_name}"}
    if type_ == "aws:ecs/taskDefinition:TaskDefinition":
        family = props.get("family") or phys_name
        return {
            "arn": f"arn:aws:ecs:{region}:{ACCOUNT_ID}:task-definition/{family}:1",
            "arnWithoutRevision": f"arn:aws:ecs:{region}:{ACCOUNT_ID}:task-definition/{family}",
            "revision": 1,
        }
    if type_ == "aws:iam/role:Role":
        return {"uniqueId": "AROA" + digest[:17].upper(), "createDate": "2024-01-01T00:00:00Z"}
    if type_ == "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace":
        return {"hostedZone": "Z" + digest[:13].upper()}
    if type_ in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
        bucket = props.get("bucket") or phys_name
        return {
            "bucket": bucket,
            "arn": f"arn:aws:s3:::{bucket}",
            "bucketDomainName": f"{bucket}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{bucket}.s3.{region}.amazonaws.com",
        }
    if type_ == "aws:lambda/function:Function":
        arn = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{phys_name}"
        return {
            "invokeArn": f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations",
            "qualifiedArn": f"{arn}:$LATEST",
            "version": "$LATEST",
        }
    if type_ == "aws:kms/key:Key":
        return {"keyId": resource_id, "arn": f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/{resource_id}"}
    if type_ == "aws:sns/topic:Topic":
        return {"arn": f"arn:aws:sns:{region}:{ACCOUNT_ID}:{phys_name}"}
    if type_ in (
        "docker-build:index:Image",
        "docker:index/image:Image",
        "docker:index/registryImage:RegistryImage",
    ):
        tag = (props.get("tags") or [props.get("imageName") or phys_name])[0]
        sha = image_digest(str(tag))
        return {
            "digest": sha,
            "ref": f"{tag}@{sha}",
            "repoDigest": f"{str(tag).split(':')[0]}@{sha}",
            "sha256Digest": sha,
        }
    return {}
