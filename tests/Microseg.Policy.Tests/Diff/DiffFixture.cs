using Microseg.Policy.Diff;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Policy.Tests.Diff;

/// <summary>A valid policy to edit in diff cases, and a compact one-line-per-fact rendering of a diff to assert on.</summary>
internal static class DiffFixture
{
    /// <summary>Every kind of entry once: three identities, an endpoint, two rules, a boundary, a management entry.</summary>
    public const string Base = """
        version: 1
        defaults:
          mode: monitor
          ingress: deny
          egress: allow
        identities:
          - name: web
            labels: {app: web, env: prod}
            addresses: [10.0.1.10]
          - name: db
            labels: {app: db, env: prod}
            addresses: [10.0.2.0/24]
          - name: office
            labels: {location: office}
            addresses: [172.16.0.0/16]
        endpoints:
          - identity: web
            addresses: [10.0.1.10]
        rules:
          - name: https-in
            action: allow
            direction: ingress
            local: {identity: web}
            peer: {matchLabels: {location: office}}
            protocol: tcp
            ports: [443]
          - name: ping-in
            action: allow
            direction: ingress
            local: {identity: web}
            peer: {any: true}
            protocol: icmp
            icmpTypes: [8]
        boundaries:
          - name: db-not-office
            between: {identity: db}
            and: {matchLabels: {location: office}}
        management:
          - name: admin-ssh
            from: [192.0.2.0/28]

        """;

    /// <summary>Loads and validates <paramref name="text"/>; a case built on an invalid policy is a broken case.</summary>
    public static PolicyDocument Load(string text)
    {
        PolicyCheckResult result = PolicyText.Check(text);
        Assert.True(result.IsValid, PolicyText.Render(result.Diagnostics));
        return result.Document!;
    }

    /// <summary>
    /// One line per fact: <c>mode NAME: OLD -> NEW</c>, <c>defaults ~ FIELD: OLD -> NEW</c>,
    /// <c>SECTION + NAME: SUMMARY</c>, <c>SECTION - NAME</c>, <c>SECTION ~ NAME FIELD: OLD -> NEW [+ADDED -REMOVED]</c>.
    /// </summary>
    public static string[] Lines(PolicyDiffResult result)
    {
        var lines = new List<string>();
        lines.AddRange(result.ModeChanges.Select(m => $"mode {m.Endpoint}: {Word(m.Old)} -> {Word(m.New)}"));
        lines.AddRange(result.Defaults.Select(f => $"defaults ~ {Field(f)}"));
        foreach (EntryChange entry in result.Entries)
        {
            string section = entry.Section.ToString().ToLowerInvariant();
            switch (entry.Kind)
            {
                case ChangeKind.Added:
                    lines.Add($"{section} + {entry.Name}: {entry.Summary}");
                    break;
                case ChangeKind.Removed:
                    lines.Add($"{section} - {entry.Name}");
                    break;
                default:
                    lines.AddRange(entry.Fields.Select(f => $"{section} ~ {entry.Name} {Field(f)}"));
                    break;
            }
        }

        return [.. lines];
    }

    private static string Field(FieldChange field)
    {
        string sets = string.Join(" ", field.Added.Select(a => "+" + a).Concat(field.Removed.Select(r => "-" + r)));
        string line = $"{field.Field}: {field.Old ?? "(none)"} -> {field.New ?? "(none)"}";
        return sets.Length == 0 ? line : $"{line} [{sets}]";
    }

    private static string Word(EndpointMode? mode) => mode?.ToString().ToLowerInvariant() ?? "(none)";
}
