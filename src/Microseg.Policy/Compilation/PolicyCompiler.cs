using Microseg.Datapath.Abi;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.Policy.Diagnostics;
using Microseg.Policy.Model;
using PolicyAction = Microseg.Policy.Model.RuleAction;

namespace Microseg.Policy.Compilation;

/// <summary>
/// Compiles a validated policy into the map image of this host: its endpoints, the remote
/// address table and the policy keys, every rule folded by the precedence of docs/policy.md.
/// Deterministic: the same document always gives the same entries, and the order identities,
/// endpoints, addresses, labels and ports are written in does not change them.
/// </summary>
/// <remarks>
/// Rule ids: rules in file order from 1, then boundaries, then management entries; within a
/// precedence level the lowest id (the first in file order) is the deciding rule reported.
/// Only identities with an endpoint on this host get policy keys.
/// </remarks>
public sealed class PolicyCompiler
{
    /// <summary>Compiles <paramref name="document"/> (which must have no validation error) and checks it against <paramref name="capacities"/>.</summary>
    public CompiledPolicy Compile(PolicyDocument document, DatapathCapacities capacities) => Compile(document, capacities, null);

    /// <summary>
    /// Compiles <paramref name="document"/>, reusing <paramref name="previous"/> (compiled by
    /// this class) where it can: when only rules changed, and not their number, only the local
    /// identities those rules reach are compiled again. The result is the same as a whole
    /// compile; when reused, it also says under which keys its image may differ from
    /// <paramref name="previous"/>'s (see <see cref="CompiledPolicy.ChangesFrom"/>).
    /// </summary>
    public CompiledPolicy Compile(PolicyDocument document, DatapathCapacities capacities, CompiledPolicy? previous)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(capacities);
        if (previous?.State is { } state && IncrementalCompile.TryCompile(state, previous, document, capacities) is { } incremental)
        {
            return incremental;
        }

        var rules = new RuleNumbering(document);
        var identities = new IdentityTable(document);
        var index = new SelectorIndex(identities.Selectable);
        var image = new SlotImage();
        identities.Fill(image);
        SortedSet<int> locals = Locals(document, identities);

        var plans = new Dictionary<(int Local, Direction Direction), LocalPlan>();
        var builder = new PlanBuilder(document, identities, index, locals, plans);
        builder.AddAll();

        var capacity = new CapacityReport(document, rules, identities, capacities);
        WritePlans(image, plans, identities, capacity);
        AddEndpoints(document, identities, image, EndpointFlagsOf(image.Policies.Keys));
        image.DeriveLookupHints();
        IReadOnlyList<Diagnostic> problems = capacity.Check(image);
        var compiled = new CompiledPolicy(image, rules, identities.Compiled, problems);
        compiled.State = new CompileState(document, capacities, identities, index, locals, builder.RulesByLocal);
        return compiled;
    }

    /// <summary>The local identities (selectable indexes) with an endpoint here.</summary>
    internal static SortedSet<int> Locals(PolicyDocument document, IdentityTable identities)
    {
        var locals = new SortedSet<int>();
        foreach (LocalEndpoint endpoint in document.Endpoints)
        {
            if (identities.IndexOf.TryGetValue(endpoint.Identity, out int local))
            {
                locals.Add(local);
            }
        }

        return locals;
    }

    /// <summary>Folds every plan into keys of <paramref name="image"/>, in a fixed order.</summary>
    internal static void WritePlans(SlotImage image, Dictionary<(int Local, Direction Direction), LocalPlan> plans, IdentityTable identities, CapacityReport capacity)
    {
        foreach (((int local, Direction direction), LocalPlan plan) in plans.OrderBy(p => p.Key.Local).ThenBy(p => p.Key.Direction))
        {
            uint localId = identities.KernelIds[local];
            foreach ((uint peer, byte protocol, List<Contribution> folded) in plan.Keys())
            {
                var key = new PolicyKey { LocalIdentity = localId, RemoteIdentity = peer, Direction = direction, Protocol = protocol };
                WriteKey(image, key, folded, capacity);
            }
        }
    }

    // An endpoint's wildcard flags say which wildcard keys exist for its identity: every key
    // in ms_policy was written with something decided.
    internal static Dictionary<uint, EndpointFlags> EndpointFlagsOf(IEnumerable<PolicyKey> keys)
    {
        var flags = new Dictionary<uint, EndpointFlags>();
        foreach (PolicyKey key in keys)
        {
            flags[key.LocalIdentity] = flags.GetValueOrDefault(key.LocalIdentity) | WildcardFlags(key.Direction, key.RemoteIdentity, key.Protocol);
        }

        return flags;
    }

    // Writes one key's folded value, exact ports and ranges; false when nothing is decided.
    private static bool WriteKey(SlotImage image, PolicyKey key, List<Contribution> contributions, CapacityReport capacity)
    {
        PortFolder.Folded folded = PortFolder.Fold(contributions, PortFolder.DomainLast(key.Protocol));
        if (folded.AnyPort is null && folded.Exact.Count == 0 && folded.Ranges.Count == 0)
        {
            return false;
        }

        var value = new PolicyValue();
        if (folded.AnyPort is { } any)
        {
            value.Flags = PolicyFlags.AnyPort;
            value.AnyPortAction = any.Action;
            value.AnyPortRuleId = any.RuleId;
        }

        image.Policies[key] = value;
        capacity.NoteKey(contributions);
        foreach (PortDecision d in folded.Exact)
        {
            image.Ports[new PolicyPortKey { Policy = key, Port = (ushort)d.First }] = new Datapath.Abi.RuleAction { RuleId = d.RuleId, Action = d.Action };
        }

        if (folded.Ranges.Count > 0)
        {
            if (folded.Ranges.Count > AbiConstants.MaxPortRanges)
            {
                capacity.NoteTooManyRanges(key, folded.Ranges);
            }

            var ranges = new PolicyRanges { Count = (uint)Math.Min(folded.Ranges.Count, AbiConstants.MaxPortRanges) };
            Span<Datapath.Abi.PortRange> slots = ranges.Ranges;
            for (int i = 0; i < (int)ranges.Count; i++)
            {
                PortDecision d = folded.Ranges[i];
                slots[i] = new Datapath.Abi.PortRange { FirstPort = (ushort)d.First, LastPort = (ushort)d.Last, RuleId = d.RuleId, Action = d.Action };
            }

            image.Ranges[key] = ranges;
        }

        return true;
    }

    private static EndpointFlags WildcardFlags(Direction direction, uint peer, byte protocol)
    {
        bool ingress = direction == Direction.Ingress;
        EndpointFlags flags = EndpointFlags.None;
        if (peer == AbiConstants.IdentityAny)
        {
            flags |= ingress ? EndpointFlags.IngressAnyRemote : EndpointFlags.EgressAnyRemote;
        }

        if (protocol == AbiConstants.ProtocolAny)
        {
            flags |= ingress ? EndpointFlags.IngressAnyProtocol : EndpointFlags.EgressAnyProtocol;
        }

        return flags;
    }

    internal static void AddEndpoints(PolicyDocument document, IdentityTable identities, SlotImage image, Dictionary<uint, EndpointFlags> flags)
    {
        EndpointMode strictest = EndpointMode.Off;
        foreach (LocalEndpoint endpoint in document.Endpoints)
        {
            if (!identities.IndexOf.TryGetValue(endpoint.Identity, out int index))
            {
                continue;
            }

            uint id = identities.KernelIds[index];
            EndpointFlags endpointFlags = flags.GetValueOrDefault(id);
            if (endpoint.Ingress == PolicyAction.Allow)
            {
                endpointFlags |= EndpointFlags.IngressDefaultAllow;
            }

            if (endpoint.Egress == PolicyAction.Allow)
            {
                endpointFlags |= EndpointFlags.EgressDefaultAllow;
            }

            var mode = endpoint.Mode;
            strictest = mode > strictest ? mode : strictest;
            foreach (AddressEntry address in endpoint.Addresses)
            {
                image.Endpoints[IpAddress16.From(address.Network.BaseAddress)] =
                    new EndpointValue { Identity = id, Mode = mode, Flags = endpointFlags };
            }
        }

        // Local addresses that are no endpoint are not judged: identity host, mode off.
        image.DefaultEndpoint = new EndpointValue { Identity = AbiConstants.IdentityHost, Mode = EndpointMode.Off };
        image.UnattributedMode = strictest;
    }
}
