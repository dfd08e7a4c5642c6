using Microseg.Policy.Model;

namespace Microseg.Policy.Compilation;

/// <summary>
/// Content equality of the model's parts, which records alone do not give (their lists and
/// dictionaries compare by reference): what lets a compile decide which parts of a document
/// are unchanged. <see cref="Rule"/> ignores positions and names, which change no map entry;
/// every other part compares with its positions, which the compiled tables keep.
/// </summary>
internal static class SameDocument
{
    /// <summary>True when everything but the rules is the same, positions included.</summary>
    public static bool ApartFromRules(PolicyDocument a, PolicyDocument b)
    {
        if (a.Defaults != b.Defaults || a.ManagementDeclared != b.ManagementDeclared || !a.Files.SequenceEqual(b.Files))
        {
            return false;
        }

        // An identity read from the same place of a file whose text did not change is the same
        // identity: comparing the file's text once is cheaper than comparing 10,000 identities.
        var unchanged = new Dictionary<string, bool>(StringComparer.Ordinal);
        return Lists(a.Identities, b.Identities, (x, y) => (x.Position == y.Position && Unchanged(x.Position.File)) || Identity(x, y))
            && Lists(a.Endpoints, b.Endpoints, Endpoint)
            && Lists(a.Boundaries, b.Boundaries, (x, y) => x.Name == y.Name && x.Position == y.Position && Selector(x.Between, y.Between) && Selector(x.And, y.And))
            && Lists(a.Management, b.Management, Management);

        bool Unchanged(string file)
        {
            if (!unchanged.TryGetValue(file, out bool same))
            {
                same = a.FileTexts?.GetValueOrDefault(file) is { } before && b.FileTexts?.GetValueOrDefault(file) is { } after
                    && string.Equals(before, after, StringComparison.Ordinal);
                unchanged[file] = same;
            }

            return same;
        }
    }

    /// <summary>True when the two rules give the same map entries under the same rule id.</summary>
    public static bool Rule(PolicyRule a, PolicyRule b) =>
        a.Action == b.Action && a.Direction == b.Direction && a.Protocol == b.Protocol
        && Selector(a.Local, b.Local) && Selector(a.Peer, b.Peer)
        && Lists(a.Ports, b.Ports, Range) && Lists(a.IcmpTypes, b.IcmpTypes, Range);

    private static bool Identity(IdentityDefinition a, IdentityDefinition b) =>
        a.Name == b.Name && a.IsReserved == b.IsReserved && a.Position == b.Position
        && Labels(a.Labels, b.Labels) && a.Addresses.SequenceEqual(b.Addresses);

    private static bool Endpoint(LocalEndpoint a, LocalEndpoint b) =>
        a.Identity == b.Identity && a.Mode == b.Mode && a.Ingress == b.Ingress && a.Egress == b.Egress
        && a.Position == b.Position && a.IdentityPosition == b.IdentityPosition && a.Addresses.SequenceEqual(b.Addresses);

    private static bool Management(ManagementAccess a, ManagementAccess b) =>
        a.Name == b.Name && a.Protocol == b.Protocol && a.Position == b.Position
        && a.From.SequenceEqual(b.From) && Lists(a.Ports, b.Ports, Range) && Selector(a.Local, b.Local);

    // Positions left out: a selector's position is in no compiled table.
    private static bool Selector(Selector a, Selector b) =>
        a.Identity == b.Identity && a.Any == b.Any && Labels(a.MatchLabels, b.MatchLabels)
        && Lists(a.MatchExpressions, b.MatchExpressions, (x, y) => x.Key == y.Key && x.Operator == y.Operator && x.Values.SequenceEqual(y.Values));

    private static bool Range(PortRange a, PortRange b) => a.First == b.First && a.Last == b.Last;

    // Called for every rule of a large policy: no enumerator boxed for the loader's label maps.
    private static bool Labels(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        if (a is LabelMap concrete)
        {
            foreach ((string key, string value) in concrete.Pairs)
            {
                if (!b.TryGetValue(key, out string? other) || other != value)
                {
                    return false;
                }
            }

            return true;
        }

        return a.All(kv => b.TryGetValue(kv.Key, out string? value) && value == kv.Value);
    }

    private static bool Lists<T>(IReadOnlyList<T> a, IReadOnlyList<T> b, Func<T, T, bool> same)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (int i = 0; i < a.Count; i++)
        {
            if (!same(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }
}
