using Microseg.Policy.Diff;

namespace Microseg.Policy.Tests.Diff;

/// <summary>The same two policies always give the same diff, in name order, whatever order their entries were written in.</summary>
public sealed class DiffDeterminismTests
{
    private static string Example(string name) => Path.Combine(PolicyText.RepositoryRoot(), "docs", "examples", name);

    private static PolicyDiffResult CompareFiles(string old, string @new)
    {
        PolicyCheckResult before = PolicyChecker.CheckFile(old);
        PolicyCheckResult after = PolicyChecker.CheckFile(@new);
        Assert.True(before.IsValid && after.IsValid);
        return PolicyDiff.Compare(before.Document!, after.Document!);
    }

    [Fact]
    public void Comparing_twice_gives_the_same_lines()
    {
        string[] first = DiffFixture.Lines(CompareFiles(Example("three-tier.yaml"), Example("pci-boundary.yaml")));
        string[] second = DiffFixture.Lines(CompareFiles(Example("three-tier.yaml"), Example("pci-boundary.yaml")));

        Assert.Equal(first, second);
        Assert.NotEmpty(first);
    }

    [Fact]
    public void Entries_and_mode_changes_come_in_ordinal_name_order()
    {
        PolicyDiffResult result = CompareFiles(Example("three-tier.yaml"), Example("monitor-first.yaml"));

        foreach (IReadOnlyList<EntryChange> section in new[] { result.Identities, result.Endpoints, result.Rules, result.Boundaries, result.Management })
        {
            Assert.Equal(section.Select(e => e.Name).Order(StringComparer.Ordinal), section.Select(e => e.Name));
        }

        Assert.Equal(result.ModeChanges.Select(m => m.Endpoint).Order(StringComparer.Ordinal), result.ModeChanges.Select(m => m.Endpoint));
        Assert.Equal(
            ["mode app: enforce -> (none)", "mode billing: (none) -> enforce", "mode db: enforce -> (none)",
             "mode host: (none) -> monitor", "mode reporting: (none) -> monitor", "mode web: enforce -> (none)"],
            DiffFixture.Lines(result).Where(l => l.StartsWith("mode ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Reordering_every_list_of_a_file_changes_nothing()
    {
        string text = File.ReadAllText(Example("three-tier.yaml"));
        string reordered = ReverseListEntries(text);
        Assert.NotEqual(text, reordered);

        PolicyDiffResult result = PolicyDiff.Compare(DiffFixture.Load(text), DiffFixture.Load(reordered));

        Assert.Empty(DiffFixture.Lines(result));
        Assert.False(result.HasChanges);
    }

    [Fact]
    public void Reordering_the_new_file_gives_the_same_diff()
    {
        string old = File.ReadAllText(Example("three-tier.yaml"));
        string @new = old.Replace("ports: [8080]", "ports: [8080, 8081]").Replace("  mode: enforce\n", "  mode: monitor\n");

        string[] inOrder = DiffFixture.Lines(PolicyDiff.Compare(DiffFixture.Load(old), DiffFixture.Load(@new)));
        string[] reordered = DiffFixture.Lines(PolicyDiff.Compare(DiffFixture.Load(old), DiffFixture.Load(ReverseListEntries(@new))));

        Assert.Equal(inOrder, reordered);
        Assert.Contains("rule ~ app-from-web ports: 8080 -> 8080-8081 [+8080-8081 -8080]", inOrder);
    }

    [Fact]
    public void Included_files_are_part_of_each_policy()
    {
        using var oldDir = new TempDirectory();
        using var newDir = new TempDirectory();
        const string Main = "version: 1\ninclude: conf.d\nidentities:\n  - name: web\n    addresses: [10.0.1.10]\nendpoints:\n  - identity: web\n    addresses: [10.0.1.10]\nmanagement: []\n";
        const string Rule = "rules:\n  - name: ssh-in\n    action: allow\n    direction: ingress\n    local: {identity: web}\n    peer: {any: true}\n    protocol: tcp\n    ports: [22]\n";
        string old = oldDir.Write("policy.yaml", Main);
        oldDir.Write("conf.d/10-ssh.yaml", Rule);
        string @new = newDir.Write("policy.yaml", Main);
        newDir.Write("conf.d/10-ssh.yaml", Rule.Replace("[22]", "[22, 2222]"));
        newDir.Write("conf.d/20-office.yaml", "identities:\n  - name: office\n    labels: {location: office}\n    addresses: [172.16.0.0/16]\n");

        PolicyDiffResult result = CompareFiles(old, @new);

        Assert.Equal(
            ["identity + office: labels {location=office}; addresses 172.16.0.0/16", "rule ~ ssh-in ports: 22 -> 22, 2222 [+2222]"],
            DiffFixture.Lines(result));
    }

    // Reverses the entries of every top-level list (identities, endpoints, rules, …) and the order of
    // each entry's keys stays; a list entry is a "  - " line and the indented lines after it.
    private static string ReverseListEntries(string text)
    {
        var output = new List<string>();
        var entries = new List<List<string>>();
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith("  - ", StringComparison.Ordinal))
            {
                entries.Add([line]);
            }
            else if (line.StartsWith("    ", StringComparison.Ordinal) && entries.Count > 0)
            {
                entries[^1].Add(line);
            }
            else
            {
                entries.Reverse();
                output.AddRange(entries.SelectMany(e => e));
                entries.Clear();
                output.Add(line);
            }
        }

        entries.Reverse();
        output.AddRange(entries.SelectMany(e => e));
        return string.Join('\n', output);
    }
}
