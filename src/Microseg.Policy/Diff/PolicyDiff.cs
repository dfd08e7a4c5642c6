using Microseg.Policy.Model;

namespace Microseg.Policy.Diff;

/// <summary>
/// Compares two policies entry by entry: what <c>microsegctl policy diff</c> shows before a
/// policy is rolled out. Entries are matched by name (endpoints by identity); values are compared
/// by meaning, so reordering entries, labels, selector terms or ports is not a change.
/// </summary>
public static class PolicyDiff
{
    /// <summary>Everything that differs from <paramref name="old"/> to <paramref name="new"/>, includes merged in both.</summary>
    public static PolicyDiffResult Compare(PolicyDocument old, PolicyDocument @new)
    {
        IReadOnlyList<FieldChange> defaults = new FieldDiffer()
            .Scalar("mode", Canonical.Word(old.Defaults.Mode), Canonical.Word(@new.Defaults.Mode))
            .Scalar("ingress", Canonical.Word(old.Defaults.Ingress), Canonical.Word(@new.Defaults.Ingress))
            .Scalar("egress", Canonical.Word(old.Defaults.Egress), Canonical.Word(@new.Defaults.Egress))
            .Changes;

        var oldEndpoints = Keyed(old.Endpoints, e => e.Identity);
        var newEndpoints = Keyed(@new.Endpoints, e => e.Identity);

        return new PolicyDiffResult(
            ModeChanges(oldEndpoints, newEndpoints),
            defaults,
            Section(DiffSection.Identity, Keyed(old.Identities, i => i.Name), Keyed(@new.Identities, i => i.Name), EntrySummary.Of, IdentityFields),
            Section(DiffSection.Endpoint, oldEndpoints, newEndpoints, EntrySummary.Of, EndpointFields),
            Section(DiffSection.Rule, Keyed(old.Rules, r => r.Name), Keyed(@new.Rules, r => r.Name), EntrySummary.Of, RuleFields),
            Section(DiffSection.Boundary, Keyed(old.Boundaries, b => b.Name), Keyed(@new.Boundaries, b => b.Name), EntrySummary.Of, BoundaryFields),
            Section(DiffSection.Management, Keyed(old.Management, m => m.Name), Keyed(@new.Management, m => m.Name), EntrySummary.Of, ManagementFields));
    }

    private static IReadOnlyList<FieldChange> IdentityFields(IdentityDefinition old, IdentityDefinition @new) => new FieldDiffer()
        .Labels(old.Labels, @new.Labels)
        .Set("addresses", Canonical.Addresses(old.Addresses), Canonical.Addresses(@new.Addresses), "none")
        .Changes;

    private static IReadOnlyList<FieldChange> EndpointFields(LocalEndpoint old, LocalEndpoint @new) => new FieldDiffer()
        .Set("addresses", Canonical.Addresses(old.Addresses), Canonical.Addresses(@new.Addresses), "none")
        .Scalar("mode", Canonical.Word(old.Mode), Canonical.Word(@new.Mode))
        .Scalar("ingress", Canonical.Word(old.Ingress), Canonical.Word(@new.Ingress))
        .Scalar("egress", Canonical.Word(old.Egress), Canonical.Word(@new.Egress))
        .Changes;

    private static IReadOnlyList<FieldChange> RuleFields(PolicyRule old, PolicyRule @new) => new FieldDiffer()
        .Scalar("action", Canonical.Word(old.Action), Canonical.Word(@new.Action))
        .Scalar("direction", Canonical.Word(old.Direction), Canonical.Word(@new.Direction))
        .Scalar("local", Canonical.Selector(old.Local), Canonical.Selector(@new.Local))
        .Scalar("peer", Canonical.Selector(old.Peer), Canonical.Selector(@new.Peer))
        .Scalar("protocol", Canonical.Word(old.Protocol), Canonical.Word(@new.Protocol))
        .Set("ports", Canonical.Ranges(old.Ports), Canonical.Ranges(@new.Ports), "any")
        .Set("icmpTypes", Canonical.Ranges(old.IcmpTypes), Canonical.Ranges(@new.IcmpTypes), "any")
        .Changes;

    private static IReadOnlyList<FieldChange> BoundaryFields(Boundary old, Boundary @new) => new FieldDiffer()
        .Scalar("between", Canonical.Selector(old.Between), Canonical.Selector(@new.Between))
        .Scalar("and", Canonical.Selector(old.And), Canonical.Selector(@new.And))
        .Changes;

    private static IReadOnlyList<FieldChange> ManagementFields(ManagementAccess old, ManagementAccess @new) => new FieldDiffer()
        .Set("from", Canonical.Addresses(old.From), Canonical.Addresses(@new.From), "none")
        .Scalar("protocol", Canonical.Word(old.Protocol), Canonical.Word(@new.Protocol))
        .Set("ports", Canonical.Ranges(old.Ports), Canonical.Ranges(@new.Ports), "any")
        .Scalar("local", Canonical.Selector(old.Local), Canonical.Selector(@new.Local))
        .Changes;

    /// <summary>
    /// Entries by key. A valid policy has unique names, but endpoints may repeat an identity (and
    /// a document need not be valid): the second entry with a key is KEY#2, and so on, pairing
    /// repeated entries up in file order.
    /// </summary>
    private static Dictionary<string, T> Keyed<T>(IEnumerable<T> entries, Func<T, string> key)
    {
        var keyed = new Dictionary<string, T>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (T entry in entries)
        {
            string name = key(entry);
            int count = seen[name] = seen.GetValueOrDefault(name) + 1;
            keyed[count == 1 ? name : $"{name}#{count}"] = entry;
        }

        return keyed;
    }

    private static List<EntryChange> Section<T>(
        DiffSection section,
        Dictionary<string, T> old,
        Dictionary<string, T> @new,
        Func<T, string> summary,
        Func<T, T, IReadOnlyList<FieldChange>> fields)
    {
        var changes = new List<EntryChange>();
        foreach (string name in old.Keys.Union(@new.Keys).Order(StringComparer.Ordinal))
        {
            bool inOld = old.TryGetValue(name, out T? before);
            bool inNew = @new.TryGetValue(name, out T? after);
            if (!inOld)
            {
                changes.Add(new EntryChange(section, name, ChangeKind.Added, summary(after!), []));
            }
            else if (!inNew)
            {
                changes.Add(new EntryChange(section, name, ChangeKind.Removed, summary(before!), []));
            }
            else if (fields(before!, after!) is { Count: > 0 } changed)
            {
                changes.Add(new EntryChange(section, name, ChangeKind.Changed, summary(after!), changed));
            }
        }

        return changes;
    }

    private static List<ModeChange> ModeChanges(Dictionary<string, LocalEndpoint> old, Dictionary<string, LocalEndpoint> @new)
    {
        var changes = new List<ModeChange>();
        foreach (string name in old.Keys.Union(@new.Keys).Order(StringComparer.Ordinal))
        {
            LocalEndpoint? before = old.GetValueOrDefault(name);
            LocalEndpoint? after = @new.GetValueOrDefault(name);
            if (before?.Mode != after?.Mode)
            {
                changes.Add(new ModeChange(name, Canonical.Addresses((after ?? before)!.Addresses), before?.Mode, after?.Mode));
            }
        }

        return changes;
    }
}
