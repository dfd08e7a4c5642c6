using Microseg.Policy.Diagnostics;
using Microseg.Policy.Loading;
using Microseg.Policy.Loading.Yaml;

namespace Microseg.Policy.Tests.Loading;

/// <summary>
/// Text built to break a parser (deep nesting, aliases to themselves, syntax errors YamlDotNet
/// fails on without saying where): each is one positioned error, never a crash, with either parser.
/// </summary>
public sealed class HostileYamlTests
{
    private static readonly int Limit = FullYamlParser.MaxDepth;

    public static TheoryData<string, string, int, int> DeepNesting() => new()
    {
        // 10,000 levels: what overflowed the stack of microsegctl (a 20 KB file).
        { "flow lists", new string('[', 10_000), 1, Limit + 1 },
        { "flow mappings", string.Concat(Enumerable.Repeat("{a: ", 10_000)), 1, (4 * Limit) + 1 },
        { "block mappings", string.Concat(Enumerable.Range(0, 10_000).Select(i => new string(' ', i) + "a:\n")), Limit + 1, Limit + 1 },
        { "block lists", string.Concat(Enumerable.Range(0, 10_000).Select(i => new string(' ', 2 * i) + "-\n")), Limit + 1, (2 * Limit) + 1 },
    };

    [Theory]
    [MemberData(nameof(DeepNesting))]
    public void Nesting_past_the_limit_is_one_error_where_it_goes_too_deep(string what, string text, int line, int column)
    {
        foreach (bool fullParserOnly in new[] { false, true })
        {
            var bag = new DiagnosticBag();
            Assert.Null(new PolicyLoader(bag, fullParserOnly).Load("deep.yaml", text));
            Diagnostic error = Assert.Single(bag.ToSortedList());
            Assert.True(error.IsError, what);
            Assert.Equal(($"deep.yaml:{line}:{column}", $"lists and mappings nested more than {Limit} deep"),
                ($"{error.File}:{error.Line}:{error.Column}", error.Message));
        }
    }

    [Fact]
    public void Nesting_up_to_the_limit_parses()
    {
        ParsedYaml parsed = FullYamlParser.Parse(new string('[', Limit) + new string(']', Limit));

        Assert.Null(parsed.Failure);
        SourceNode node = Assert.Single(parsed.Documents);
        int depth = 1;
        while (node.Items.Count == 1)
        {
            node = node.Items[0];
            depth++;
        }

        Assert.Equal(Limit, depth);
    }

    [Fact]
    public void An_alias_inside_the_node_it_names_is_an_error_at_the_alias()
    {
        PolicyCheckResult result = PolicyText.Check("version: 1\nidentities: &loop\n  - *loop\n");

        Assert.Equal("p.yaml:3:5: error: YAML syntax error: the alias *loop names no anchor before it (an alias cannot refer to a node that contains it)",
            PolicyText.Render(result.Diagnostics));
    }

    [Theory]
    [InlineData("a carriage return in a flow list", "version: 1\nidentities: [{name: web, addresses: [10.0.\r2.5]}]\n", 2)]
    [InlineData("a tab before a list item", "version: 1\nrules:\n\t- name: a\n", 3)]
    [InlineData("a flow list left open", "version: 1\nrules: [\n", 3)]
    [InlineData("a quote left open", "version: 1\nrules: \"abc\n", 2)]
    [InlineData("a flow list left open before more lines", "version: 1\nrules: [1, 2\nmanagement: []\n", 2)]
    [InlineData("a tab inside a list item", "version: 1\nrules:\n  - a\n\t- b\n", 4)]
    [InlineData("a character that starts nothing", "version: 1\nrules: @x\n", 2)]
    public void A_syntax_error_is_reported_on_its_line_never_at_1_1(string what, string text, int line)
    {
        Diagnostic error = Assert.Single(PolicyText.Check(text).Diagnostics);

        Assert.True(error.IsError, what);
        Assert.Equal(line, error.Line);
        Assert.StartsWith("YAML syntax error: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Operation is not valid", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Line: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tab_is_named_as_the_problem()
    {
        Diagnostic error = Assert.Single(PolicyText.Check("version: 1\nrules:\n\t- name: a\n").Diagnostics);

        Assert.Equal((3, 1), (error.Line, error.Column));
        Assert.Equal("YAML indents with spaces: replace the tab with spaces", error.Hint);
    }

    [Fact]
    public void A_file_of_a_million_brackets_is_one_error_at_the_limit()
    {
        Diagnostic error = Assert.Single(PolicyText.Check(new string('[', 1_000_000)).Diagnostics);

        Assert.Equal((1, Limit + 1), (error.Line, error.Column));
    }
}
