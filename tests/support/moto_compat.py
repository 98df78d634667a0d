"""The local AWS: moto's server, plus the few compatibility fixes this project's tests need.

Every moto process the project starts (tests, scripts/moto, the main job) runs through this file:
`python tests/support/moto_compat.py -H 127.0.0.1 -p PORT` takes moto_server's arguments.

Rule: the provider is written to AWS's documented behaviour, never to a moto quirk. When a test
needs a round-trip that moto does not implement (or implements differently from AWS), the gap is
closed HERE, in one place, with a note saying what AWS does and which moto version lacks it. Each
patch is a small function registered in PATCHES; the list below is the whole inventory.
"""

import json
import sys

from moto import server

# (name, function) pairs; each function patches moto in place and documents the AWS behaviour.
PATCHES = []


def patch(fn):
    PATCHES.append((fn.__name__, fn))
    return fn


# --- Cloud Map (servicediscovery) and CloudWatch Logs (moto 5.2.5) --------------------------------


def _sd_error(code, message):
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)


def _sd_service_namespace(service):
    dns = service.dns_config or {}
    return service.namespace_id or dns.get("NamespaceId")


@patch
def servicediscovery_delete_namespace_in_use():
    """AWS refuses DeleteNamespace while services are registered in the namespace
    (`ResourceInUse: Namespace has associated services`); moto deletes it anyway."""
    from moto.servicediscovery.models import ServiceDiscoveryBackend

    original = ServiceDiscoveryBackend.delete_namespace

    def delete_namespace(self, namespace_id):
        if any(_sd_service_namespace(s) == namespace_id for s in self.services.values()):
            raise _sd_error("ResourceInUse", "Namespace has associated services")
        return original(self, namespace_id)

    ServiceDiscoveryBackend.delete_namespace = delete_namespace


@patch
def servicediscovery_delete_service_in_use():
    """AWS refuses DeleteService while instances are registered (`ResourceInUse`) and answers
    `ServiceNotFound` for an unknown service; moto deletes silently in both cases."""
    from moto.servicediscovery.models import ServiceDiscoveryBackend

    def delete_service(self, service_id):
        service = self.get_service(service_id)  # raises ServiceNotFound
        if service.instances:
            raise _sd_error(
                "ResourceInUse",
                "Service contains registered instances; delete the instances before deleting the service",
            )
        self.services.pop(service_id, None)

    ServiceDiscoveryBackend.delete_service = delete_service


@patch
def servicediscovery_list_services_filters():
    """AWS ListServices honours `Filters` (NAMESPACE_ID with EQ or IN); moto ignores them and
    lists every service in the region."""
    import json

    from moto.servicediscovery.responses import ServiceDiscoveryResponse

    def list_services(self):
        params = json.loads(self.body or "{}")
        services = list(self.servicediscovery_backend.list_services())
        for f in params.get("Filters") or []:
            if f.get("Name") == "NAMESPACE_ID":
                wanted = set(f.get("Values") or [])
                services = [s for s in services if _sd_service_namespace(s) in wanted]
        return json.dumps({"Services": [s.to_json() for s in services]})

    ServiceDiscoveryResponse.list_services = list_services


@patch
def servicediscovery_private_namespaces_share_a_vpc():
    """AWS lets one VPC hold several private DNS namespaces; only an overlapping name in the same
    VPC fails, and it fails asynchronously: the operation ends in FAIL with ErrorCode
    CANNOT_CREATE_HOSTED_ZONE (Route 53 ConflictingDomainExists). moto rejects any second private
    namespace in a VPC, synchronously, and its operations never carry ErrorCode/ErrorMessage."""
    from moto.route53 import route53_backends
    from moto.servicediscovery.models import Namespace, Operation, ServiceDiscoveryBackend
    from moto.utilities.utils import get_partition

    to_json = Operation.to_json

    def operation_to_json(self, short=False):
        out = to_json(self, short)
        if not short and getattr(self, "error_code", None):
            out["ErrorCode"] = self.error_code
            out["ErrorMessage"] = self.error_message
        return out

    Operation.to_json = operation_to_json

    def create_private_dns_namespace(self, name, creator_request_id, description, vpc, tags, properties):
        overlapping = [
            ns
            for ns in self.namespaces.values()
            if ns.vpc == vpc and (ns.name == name or ns.name.endswith("." + name) or name.endswith("." + ns.name))
        ]
        if overlapping:
            operation = Operation(operation_type="CREATE_NAMESPACE", targets={})
            operation.status = "FAIL"
            operation.error_code = "CANNOT_CREATE_HOSTED_ZONE"
            operation.error_message = (
                f"The VPC that you chose, {vpc} in region {self.region_name}, is already associated with "
                f"another private hosted zone that has an overlapping name space, {overlapping[0].name}.. "
                "(Service: AmazonRoute53; Status Code: 400; Error Code: ConflictingDomainExists)"
            )
            self.operations[operation.id] = operation
            return operation.id
        dns_properties = dict((properties or {}).get("DnsProperties", {}))
        zone = route53_backends[self.account_id][get_partition(self.region_name)].create_hosted_zone(
            f"{name}-hz", private_zone=True, comment=f"hosted zone for private dns namespace {name}"
        )
        dns_properties["HostedZoneId"] = zone.id
        namespace = Namespace(
            account_id=self.account_id,
            region=self.region_name,
            name=name,
            ns_type="DNS_PRIVATE",
            creator_request_id=creator_request_id,
            description=description,
            dns_properties=dns_properties,
            http_properties={},
            vpc=vpc,
        )
        self.namespaces[namespace.id] = namespace
        if tags:
            self.tagger.tag_resource(namespace.arn, tags)
        return self._create_operation("CREATE_NAMESPACE", targets={"NAMESPACE": namespace.id})

    ServiceDiscoveryBackend.create_private_dns_namespace = create_private_dns_namespace


@patch
def servicediscovery_service_defaults():
    """AWS GetService always reports the service's NamespaceId (also when only DnsConfig named
    it) and its Type: DNS_HTTP for a service with DNS records, HTTP otherwise. moto echoes the
    request, leaving both null when they were not sent."""
    from moto.servicediscovery.models import ServiceDiscoveryBackend

    original = ServiceDiscoveryBackend.create_service

    def create_service(self, name, namespace_id, creator_request_id, description, dns_config,
                       health_check_config, health_check_custom_config, tags, service_type):
        namespace_id = namespace_id or (dns_config or {}).get("NamespaceId")
        if not service_type:
            service_type = "DNS_HTTP" if dns_config else "HTTP"
        return original(self, name, namespace_id, creator_request_id, description, dns_config,
                        health_check_config, health_check_custom_config, tags, service_type)

    ServiceDiscoveryBackend.create_service = create_service


@patch
def servicediscovery_creator_request_id_is_idempotent():
    """AWS: CreatorRequestId "allows failed Create* requests to be retried without the risk of
    running the operation twice": a retry of CreateHttpNamespace / CreatePrivateDnsNamespace /
    CreateService with the request id of an existing object returns that object's create, not a
    second object. moto 5.2.5 ignores the id and creates a duplicate (seen when a connection drops
    after the first call went through and the SDK retries)."""
    from moto.servicediscovery.models import ServiceDiscoveryBackend

    def same_request(objects, creator_request_id):
        if not creator_request_id:
            return None
        return next((o for o in objects.values() if o.creator_request_id == creator_request_id), None)

    def create_operation_of(backend, namespace_id):
        return next(
            (op_id for op_id, op in backend.operations.items()
             if op.operation_type == "CREATE_NAMESPACE" and op.targets.get("NAMESPACE") == namespace_id),
            None,
        )

    for method in ("create_http_namespace", "create_private_dns_namespace"):
        original = getattr(ServiceDiscoveryBackend, method)

        def create_namespace(self, name, creator_request_id, *args, _original=original, **kwargs):
            existing = same_request(self.namespaces, creator_request_id)
            if existing is not None:
                op_id = create_operation_of(self, existing.id)
                if op_id:
                    return op_id
            return _original(self, name, creator_request_id, *args, **kwargs)

        setattr(ServiceDiscoveryBackend, method, create_namespace)

    original_service = ServiceDiscoveryBackend.create_service

    def create_service(self, name, namespace_id, creator_request_id, *args, **kwargs):
        existing = same_request(self.services, creator_request_id)
        if existing is not None:
            return existing
        return original_service(self, name, namespace_id, creator_request_id, *args, **kwargs)

    ServiceDiscoveryBackend.create_service = create_service


@patch
def logs_log_group_class_and_protection():
    """AWS CreateLogGroup takes logGroupClass (default STANDARD) and deletionProtectionEnabled
    (default false), and DescribeLogGroups reports both; moto drops them."""
    from moto.logs.models import LogGroup
    from moto.logs.responses import LogsResponse

    create = LogsResponse.create_log_group

    def create_log_group(self):
        out = create(self)
        group = self.logs_backend.groups.get(self._get_param("logGroupName"))
        if group is not None:
            group.log_group_class = self._get_param("logGroupClass") or "STANDARD"
            group.deletion_protection_enabled = bool(self._get_param("deletionProtectionEnabled"))
        return out

    LogsResponse.create_log_group = create_log_group
    describe = LogGroup.to_describe_dict

    def to_describe_dict(self):
        out = describe(self)
        out["logGroupClass"] = getattr(self, "log_group_class", "STANDARD")
        out["deletionProtectionEnabled"] = getattr(self, "deletion_protection_enabled", False)
        return out

    LogGroup.to_describe_dict = to_describe_dict


# --- end Cloud Map / CloudWatch Logs -------------------------------------------------------------


# --- ELBv2 (load balancers, target groups, listeners, rules) ---------------------------------


@patch
def elbv2_target_group_load_balancer_arns():
    """AWS: DescribeTargetGroups' LoadBalancerArns lists the load balancers whose listeners
    (default actions) or listener rules forward to the target group at the time of the call.
    moto 5.2.5 only appends an ARN on CreateListener/CreateRule, so a ModifyListener/ModifyRule
    that starts forwarding to another target group never associates it, and deleting a listener,
    rule or load balancer leaves stale ARNs behind. Compute the list from the listeners instead."""
    from moto.elbv2 import models

    def load_balancer_arns(self):
        backend = models.elbv2_backends[self.account_id][self.region_name]
        arns = []
        for lb in backend.load_balancers.values():
            for listener in lb.listeners.values():
                for rule in listener.rules.values():
                    for action in rule.actions:
                        forwards_here = self.arn in backend._get_target_group_arns_from(
                            action_data=action.data
                        )
                        if forwards_here and lb.arn not in arns:
                            arns.append(lb.arn)
        return arns

    # moto's own code assigns and appends to the attribute; both become no-ops.
    models.FakeTargetGroup.load_balancer_arns = property(
        load_balancer_arns, lambda self, _value: None
    )


@patch
def elbv2_modify_target_group_attributes_answers_with_all():
    """AWS: ModifyTargetGroupAttributes answers with every attribute of the target group, the
    changed ones and the rest (API reference example "Modify the deregistration delay timeout"),
    as ModifyLoadBalancerAttributes does for a load balancer. moto 5.2.5 answers with only the
    attributes sent. Answer with the group's attributes after the change."""
    from moto.core.responses import ActionResult
    from moto.elbv2.responses import ELBV2Response

    original = ELBV2Response.modify_target_group_attributes

    def modify_target_group_attributes(self):
        original(self)  # validates and applies the change
        group = self.elbv2_backend.target_groups.get(self._get_param("TargetGroupArn"))
        return ActionResult({"Attributes": group.attributes})

    ELBV2Response.modify_target_group_attributes = modify_target_group_attributes


# --- EC2 (launch templates, security groups) -------------------------------------------------


@patch
def elbv2_creates_are_idempotent():
    """AWS ELBv2: CreateLoadBalancer, CreateTargetGroup and CreateListener are idempotent - a call
    with the same settings as an existing load balancer / target group (same name) / listener
    (same load balancer and port) succeeds and answers with it; different settings fail with
    DuplicateLoadBalancerName / DuplicateTargetGroupName / DuplicateListener. moto 5.2.5 creates a
    second load balancer and listener, and refuses the identical target group."""
    from moto.core.responses import ActionResult
    from moto.elbv2.exceptions import (
        DuplicateListenerError,
        DuplicateLoadBalancerName,
        DuplicateTargetGroupName,
    )
    from moto.elbv2.responses import ELBV2Response

    def load_balancer(response, params):
        found = [b for b in response.elbv2_backend.load_balancers.values()
                 if b.name == params.get("Name")]
        return found[0] if found else None

    def target_group(response, params):
        found = [g for g in response.elbv2_backend.target_groups.values()
                 if g.name == params.get("Name")]
        return found[0] if found else None

    def listener(response, params):
        balancer = response.elbv2_backend.load_balancers.get(params.get("LoadBalancerArn"))
        found = [l for l in (balancer.listeners.values() if balancer else [])
                 if str(l.port) == str(params.get("Port"))]
        return found[0] if found else None

    for method, find, duplicate, member in (
        ("create_load_balancer", load_balancer, DuplicateLoadBalancerName, "LoadBalancers"),
        ("create_target_group", target_group, DuplicateTargetGroupName, "TargetGroups"),
        ("create_listener", listener, DuplicateListenerError, "Listeners"),
    ):
        original = getattr(ELBV2Response, method)

        def idempotent(self, _original=original, _find=find, _dup=duplicate, _member=member):
            params = self._get_params()
            existing = _find(self, params)
            if existing is not None:
                if getattr(existing, "_compat_request", None) == params:
                    return ActionResult({_member: [existing]})
                raise _dup()
            result = _original(self)
            created = _find(self, params)
            if created is not None:
                created._compat_request = params
            return result

        setattr(ELBV2Response, method, idempotent)


@patch
def ec2_launch_template_data_excludes_template_tags():
    """CreateLaunchTemplate's own TagSpecifications (resource type `launch-template`) tag the
    template. AWS never copies them into the version's LaunchTemplateData (that list only holds
    instance/volume/network-interface/spot-instances-request tags); moto 5.2.5 appends them there,
    which reads back as an extra `tag_specifications` entry."""
    from moto.ec2.models import launch_templates as lt

    original = lt.LaunchTemplateVersion.__init__

    def init(self, template, number, data, description):
        specs = data.get("TagSpecifications")
        if specs:
            data = dict(data)
            data["TagSpecifications"] = [
                s for s in specs if s.get("ResourceType") != "launch-template"
            ]
            if not data["TagSpecifications"]:
                del data["TagSpecifications"]
        original(self, template, number, data, description)

    lt.LaunchTemplateVersion.__init__ = init


@patch
def ec2_launch_template_tags_are_live():
    """DescribeLaunchTemplates reports the template's current tags (after CreateTags/DeleteTags).
    moto 5.2.5 answers with a snapshot taken at creation."""
    from moto.ec2.models import launch_templates as lt

    lt.LaunchTemplate.tags = property(
        lambda self: self.get_tags(), lambda self, _value: None
    )


@patch
def ec2_launch_template_client_token_is_idempotent():
    """AWS CreateLaunchTemplate: a retry with the same ClientToken and parameters answers with the
    template the first call created (different parameters: IdempotentParameterMismatch). moto
    5.2.5 ignores the token, so a retried create fails with AlreadyExistsException."""
    from moto.ec2.exceptions import EC2ClientError
    from moto.ec2.responses.launch_templates import LaunchTemplates

    original = LaunchTemplates.create_launch_template

    def create_launch_template(self):
        token = self._get_param("ClientToken")
        request = {k: v for k, v in self.querystring.items() if k != "ClientToken"}
        seen = self.ec2_backend.__dict__.setdefault("_compat_launch_template_tokens", {})
        if token and token in seen:
            template_id, first = seen[token]
            if first != request:
                raise EC2ClientError(
                    "IdempotentParameterMismatch",
                    "The client token has already been used with different parameters.",
                )
            template = self.ec2_backend.launch_templates.get(template_id)
            if template is not None:
                # Answer with the existing template, built the way moto builds its reply.
                backend = self.ec2_backend
                backend.create_launch_template = lambda *_args, **_kwargs: template
                try:
                    return original(self)
                finally:
                    del backend.create_launch_template
        result = original(self)
        name = self._get_param("LaunchTemplateName")
        if token:
            seen[token] = (self.ec2_backend.launch_template_name_to_ids[name], request)
        return result

    LaunchTemplates.create_launch_template = create_launch_template


@patch
def ec2_security_group_delete_dependencies():
    """AWS refuses DeleteSecurityGroup with `DependencyViolation: resource sg-... has a dependent
    object` while another group's rule references the group or a network interface still uses
    it (e.g. the ENI of a task or instance that is going away). moto 5.2.5 deletes it anyway."""
    from moto.ec2.exceptions import DependencyViolationError
    from moto.ec2.models import security_groups as sg

    original = sg.SecurityGroupBackend._delete_security_group

    def delete(self, vpc_id, group_id):
        for groups in self.groups.values():
            for group in groups.values():
                if group.id == group_id:
                    continue
                for rule in list(group.ingress_rules) + list(group.egress_rules):
                    if (rule.source_group or {}).get("GroupId") == group_id:
                        raise DependencyViolationError(
                            f"resource {group_id} has a dependent object"
                        )
        for eni in getattr(self, "enis", {}).values():
            # AWS deletes a terminated instance's network interfaces (DeleteOnTermination); moto
            # keeps them attached to the terminated instance, so they hold nothing here.
            instance = getattr(eni, "instance", None)
            if instance is not None and getattr(getattr(instance, "_state", None), "name", "") == "terminated":
                continue
            if any(getattr(g, "id", g) == group_id for g in eni.group_set):
                raise DependencyViolationError(f"resource {group_id} has a dependent object")
        return original(self, vpc_id, group_id)

    sg.SecurityGroupBackend._delete_security_group = delete


@patch
def ec2_security_group_rule_description_of_group_references():
    """DescribeSecurityGroupRules reports the description of a rule whose source is another
    security group (UserIdGroupPairs[].Description). moto 5.2.5 reports descriptions only for CIDR
    sources."""
    from moto.ec2.models import security_groups as sg

    def description(self):
        return self.ip_range.get("Description") or (self.source_group or {}).get("Description")

    sg.SecurityGroupRule.description = property(description)
# --- Auto Scaling and ECS capacity (awsecs_autoscaling_group, awsecs_ecs_capacity_provider) ------


@patch
def autoscaling_scales_in_once_protection_is_cleared():
    """AWS keeps reconciling a group to its desired capacity: when scale-in protection is removed
    from instances of a group running above its desired capacity, Auto Scaling terminates the
    excess. moto 5.2.5 scales in only when the desired capacity changes, so instances that were
    protected during a scale-to-zero are never terminated."""
    from moto.autoscaling.models import AutoScalingBackend

    original = AutoScalingBackend.set_instance_protection

    def set_instance_protection(self, group_name, instance_ids, protected_from_scale_in):
        original(self, group_name, instance_ids, protected_from_scale_in)
        group = self.autoscaling_groups.get(group_name)
        if group is not None and not protected_from_scale_in:
            group.set_desired_capacity(group.desired_capacity)

    AutoScalingBackend.set_instance_protection = set_instance_protection


@patch
def autoscaling_delete_refuses_groups_with_instances():
    """AWS DeleteAutoScalingGroup fails with ResourceInUse while the group still has instances,
    unless ForceDelete is true (then the instances are terminated with the group, protected or
    not). moto 5.2.5 deletes the group anyway and leaves protected instances behind."""
    from moto.autoscaling.exceptions import AutoscalingClientError
    from moto.autoscaling.responses import AutoScalingResponse

    original = AutoScalingResponse.delete_auto_scaling_group

    def delete_auto_scaling_group(self):
        name = self._get_param("AutoScalingGroupName")
        group = self.autoscaling_backend.autoscaling_groups.get(name)
        if group is not None and group.instance_states:
            if not self._get_bool_param("ForceDelete", False):
                raise AutoscalingClientError(
                    "ResourceInUse",
                    "You cannot delete an AutoScalingGroup while there are instances or "
                    "pending Spot instance request(s) still in the group.",
                )
            for state in group.instance_states:
                state.protected_from_scale_in = False
        return original(self)

    AutoScalingResponse.delete_auto_scaling_group = delete_auto_scaling_group


@patch
def ecs_capacity_provider_tags_its_auto_scaling_group():
    """AWS: creating a capacity provider for an Auto Scaling group adds the AmazonECSManaged tag to
    the group (documented on aws_ecs_capacity_provider; hashicorp/aws issue #12582). moto 5.2.5
    does not, so the provider's handling of that tag could not be exercised."""
    from moto.autoscaling.models import autoscaling_backends
    from moto.ecs.models import EC2ContainerServiceBackend

    original = EC2ContainerServiceBackend.create_capacity_provider

    def create_capacity_provider(self, name, asg_details, tags):
        provider = original(self, name, asg_details, tags)
        arn = (asg_details or {}).get("autoScalingGroupArn") or ""
        group_name = arn.split("autoScalingGroupName/")[-1]
        backend = autoscaling_backends[self.account_id][self.region_name]
        group = backend.autoscaling_groups.get(group_name)
        if group is not None and not any(t["Key"] == "AmazonECSManaged" for t in group.tags):
            backend.create_or_update_tags(
                [
                    {
                        "ResourceId": group.name,
                        "ResourceType": "auto-scaling-group",
                        "Key": "AmazonECSManaged",
                        "Value": "",
                        "PropagateAtLaunch": True,
                    }
                ]
            )
        return provider

    EC2ContainerServiceBackend.create_capacity_provider = create_capacity_provider


@patch
def ecs_capacity_provider_names_are_unique():
    """AWS CreateCapacityProvider for a name that exists fails with ClientException "The specified
    capacity provider already exists. To change the configuration of an existing capacity
    provider, update the capacity provider." moto 5.2.5 silently replaces the provider."""
    from moto.ecs.exceptions import EcsClientException
    from moto.ecs.models import EC2ContainerServiceBackend

    original = EC2ContainerServiceBackend.create_capacity_provider

    def create_capacity_provider(self, name, *args, **kwargs):
        if self._get_provider(name) is not None:
            raise EcsClientException(
                "The specified capacity provider already exists. To change the configuration"
                " of an existing capacity provider, update the capacity provider."
            )
        return original(self, name, *args, **kwargs)

    EC2ContainerServiceBackend.create_capacity_provider = create_capacity_provider


@patch
def ecs_unknown_capacity_provider_is_a_client_error():
    """AWS answers DeleteCapacityProvider and UpdateCapacityProvider for a provider that does not
    exist with ClientException "The specified capacity provider does not exist." moto 5.2.5 fails
    with an internal error (HTTP 500)."""
    from moto.ecs.exceptions import EcsClientException
    from moto.ecs.models import EC2ContainerServiceBackend

    for method in ("delete_capacity_provider", "update_capacity_provider"):
        original = getattr(EC2ContainerServiceBackend, method)

        def checked(self, name_or_arn, *args, _original=original, **kwargs):
            if self._get_provider(name_or_arn) is None:
                raise EcsClientException("The specified capacity provider does not exist.")
            return _original(self, name_or_arn, *args, **kwargs)

        setattr(EC2ContainerServiceBackend, method, checked)


@patch
def ecs_capacity_provider_in_use_is_not_deleted():
    """AWS DeleteCapacityProvider: "Only capacity providers that aren't associated with a cluster
    can be deleted" (ECS API reference). For a provider a cluster still uses, the call answers
    with the provider left ACTIVE, updateStatus DELETE_FAILED and an updateStatusReason naming the
    cluster (hashicorp/aws #48156, aws-nuke #542); once the association is gone, a later call
    deletes it, answering DELETE_IN_PROGRESS. moto 5.2.5 deletes the provider at once."""
    from moto.ecs.models import EC2ContainerServiceBackend

    original = EC2ContainerServiceBackend.delete_capacity_provider

    def delete_capacity_provider(self, name_or_arn):
        provider = self._get_provider(name_or_arn)
        if provider is not None:
            names = {provider.name, provider.capacity_provider_arn}
            using = sorted(
                c.name
                for c in self.clusters.values()
                if c.status != "INACTIVE" and names & set(c.capacity_providers or [])
            )
            if using:
                provider.update_status = "DELETE_FAILED"
                provider.update_status_reason = (
                    "The capacity provider cannot be deleted because it is associated with"
                    f" cluster: {using[0]}. Remove the capacity provider from the cluster and"
                    " try again."
                )
                return provider
            # Accepted: the answer reports the deletion under way (not an earlier refusal).
            provider.update_status = "DELETE_IN_PROGRESS"
            provider.update_status_reason = None
        return original(self, name_or_arn)

    EC2ContainerServiceBackend.delete_capacity_provider = delete_capacity_provider


@patch
def ecs_update_service_refuses_a_deleted_service():
    """AWS UpdateService on a service that is not ACTIVE (DRAINING or INACTIVE after a
    DeleteService) fails with ServiceNotActiveException "Service was not ACTIVE." (ECS API
    reference, UpdateService errors). moto 5.2.5 updates the deleted service."""
    from moto.ecs.exceptions import ECSException
    from moto.ecs.models import EC2ContainerServiceBackend

    original = EC2ContainerServiceBackend.update_service

    def update_service(self, service_properties):
        cluster = self._get_cluster(service_properties.get("cluster", "default"))
        name = service_properties["service"].split("/")[-1]
        existing = self.services.get(f"{cluster.name}:{name}")
        if existing is not None and existing.status != "ACTIVE":
            raise ECSException("ServiceNotActiveException", "Service was not ACTIVE.")
        return original(self, service_properties)

    EC2ContainerServiceBackend.update_service = update_service


@patch
def ecs_register_task_definition_answers_with_its_tags():
    """AWS: RegisterTaskDefinition answers with the new revision and its `tags` (response syntax in
    the ECS API reference). moto 5.2.5 leaves `tags` out of the answer, so a client that uses the
    answer as its state would have to describe the revision again."""
    from moto.core.responses import ActionResult
    from moto.ecs.responses import EC2ContainerServiceResponse

    original = EC2ContainerServiceResponse.register_task_definition

    def register_task_definition(self):
        answer = original(self).result
        td = answer["taskDefinition"]
        return ActionResult({**answer, "tags": self.ecs_backend.list_tags_for_resource(td.arn)})

    EC2ContainerServiceResponse.register_task_definition = register_task_definition


@patch
def ecs_task_definitions_have_registered_at():
    """AWS DescribeTaskDefinition / RegisterTaskDefinition answer `registeredAt`, the time the
    revision was registered. moto 5.2.5 omits it."""
    from moto.core.utils import utcnow
    from moto.ecs.models import TaskDefinition

    original = TaskDefinition.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.registered_at = utcnow()

    TaskDefinition.__init__ = init


@patch
def ecs_create_service_client_token_is_idempotent():
    """AWS CreateService: `clientToken` makes the call idempotent - a retry with the same token
    and parameters answers with the service the first call created; any other CreateService for
    a name that is ACTIVE in the cluster fails with InvalidParameterException "Creation of service
    was not idempotent." moto 5.2.5 ignores the token and silently replaces the service."""
    from moto.core.responses import ActionResult
    from moto.ecs.exceptions import InvalidParameterException
    from moto.ecs.responses import EC2ContainerServiceResponse

    original = EC2ContainerServiceResponse.create_service

    def create_service(self):
        cluster = self.ecs_backend._get_cluster(self._get_param("cluster", "default"))
        name = self._get_param("serviceName")
        token = self._get_param("clientToken")
        body = {k: v for k, v in json.loads(self.body or "{}").items() if k != "clientToken"}
        existing = self.ecs_backend.services.get(f"{cluster.name}:{name}")
        if existing is not None and existing.status == "ACTIVE":
            if token and getattr(existing, "_compat_request", None) == (token, body):
                return ActionResult({"service": existing})
            raise InvalidParameterException("Creation of service was not idempotent.")
        result = original(self)
        created = self.ecs_backend.services.get(f"{cluster.name}:{name}")
        if created is not None:
            created._compat_request = (token, body)
        return result

    EC2ContainerServiceResponse.create_service = create_service


def main(argv):
    for _name, fn in PATCHES:
        fn()
    return server.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
