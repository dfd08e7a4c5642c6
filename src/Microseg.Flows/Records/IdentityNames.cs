using System.Collections.Frozen;
using Microseg.Datapath.Abi;
using Microseg.Policy.Compilation;

namespace Microseg.Flows.Records;

/// <summary>A name table from two maps, frozen for fast lookups; unknown numbers get a name made once.</summary>
public sealed class IdentityNames : IIdentityNames
{
    private readonly FrozenDictionary<uint, string> _identities;
    private readonly FrozenDictionary<uint, string> _rules;

    // Names made for numbers the table lacks, kept so each is made once (bounded: see MaxUnknown).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<uint, string> _unknownIdentities = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<uint, string> _unknownRules = new();

    // A stream of made-up numbers (a corrupt event) must not grow the cache without bound.
    private const int MaxUnknown = 4096;

    /// <summary>A table from identity number → name and rule id → name; world and host are added when missing.</summary>
    public IdentityNames(IReadOnlyDictionary<uint, string> identities, IReadOnlyDictionary<uint, string> rules)
    {
        var all = new Dictionary<uint, string>(identities)
        {
            [AbiConstants.IdentityWorld] = identities.GetValueOrDefault(AbiConstants.IdentityWorld, "world"),
            [AbiConstants.IdentityHost] = identities.GetValueOrDefault(AbiConstants.IdentityHost, "host"),
        };
        _identities = all.ToFrozenDictionary();
        _rules = rules.ToFrozenDictionary();
    }

    /// <summary>An empty table: only world and host have names.</summary>
    public static IdentityNames Empty { get; } = new(new Dictionary<uint, string>(), new Dictionary<uint, string>());

    /// <summary>The table for a compiled policy: its identities (by base identity name) and its rules.</summary>
    public static IdentityNames From(CompiledPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        // A management source identity (world+admin-ssh) is, for flows, the identity it refines.
        return new IdentityNames(
            policy.Identities.ToDictionary(i => i.Id, i => i.BaseIdentity),
            policy.Rules.ToDictionary(r => r.Id, r => r.Name));
    }

    public string Identity(uint id) =>
        _identities.TryGetValue(id, out string? name) ? name : Unknown(_unknownIdentities, id, "identity");

    public string? Rule(uint ruleId) =>
        ruleId == 0 ? null : _rules.TryGetValue(ruleId, out string? name) ? name : Unknown(_unknownRules, ruleId, "rule");

    private static string Unknown(System.Collections.Concurrent.ConcurrentDictionary<uint, string> cache, uint id, string what)
    {
        if (cache.TryGetValue(id, out string? name))
        {
            return name;
        }

        name = $"{what}-{id}";
        if (cache.Count < MaxUnknown)
        {
            cache.TryAdd(id, name);
        }

        return name;
    }
}
