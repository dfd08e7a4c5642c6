using FsCheck;
using FsCheck.Fluent;
using Microseg.Policy.Diagnostics;
using Microseg.Policy.Loading;
using Microseg.Policy.Loading.Yaml;
using Microseg.Policy.Model;
using Microseg.Policy.Validation;

namespace Microseg.Policy.Tests.Loading;

/// <summary>
/// The subset parser against YamlDotNet: on every text the subset parser accepts, both give the
/// same tree, positions included; and a whole check (load and validate) gives the same
/// diagnostics, in the same order, whichever parser read the file.
/// </summary>
public sealed class SubsetParserDifferentialTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(400);

    [Fact]
    public void Documents_in_the_subsets_styles_parse_to_YamlDotNets_tree()
    {
        Check.One(Runs, Prop.ForAll(Seeds(), seed =>
        {
            string text = new GeneratedYaml(seed).Text(damaged: false);
            SourceNode? subset = SubsetYamlParser.TryParse(text);
            Assert.True(subset is not null, $"the subset parser declined a document in its own styles:\n{text}");
            Assert.Equal(SourceTreeText.Render(FullYamlParser.Parse(text)), SourceTreeText.Render(subset.Value));
        }));
    }

    [Fact]
    public void Damaged_documents_the_subset_parser_accepts_parse_to_YamlDotNets_tree()
    {
        int accepted = 0;
        Check.One(Runs.WithMaxTest(1500), Prop.ForAll(Seeds(), seed =>
        {
            string text = new GeneratedYaml(seed).Text(damaged: true);
            if (SubsetYamlParser.TryParse(text) is { } subset)
            {
                accepted++;
                // Accepting what YamlDotNet refuses would hide a syntax error: the render then differs.
                Assert.True(SourceTreeText.Render(FullYamlParser.Parse(text)) == SourceTreeText.Render(subset), $"trees differ for:\n{text}");
            }
        }));
        // Damage often leaves a document valid: the comparison above must have had work to do.
        Assert.True(accepted > 100, $"only {accepted} damaged documents stayed in the subset");
    }

    [Fact]
    public void Load_and_validate_report_the_same_diagnostics_with_either_parser()
    {
        Check.One(Runs, Prop.ForAll(Seeds(), Arb.From(Gen.Elements(false, true)), (seed, damaged) =>
        {
            string text = new GeneratedYaml(seed).Text(damaged);
            Assert.Equal(Diagnostics(text, fullParserOnly: true), Diagnostics(text, fullParserOnly: false));
        }));
    }

    [Theory]
    [InlineData("a: 1\na: 2\n")]                        // duplicate key: YamlDotNet's message
    [InlineData("a: b: c\n")]                           // mapping in a plain scalar
    [InlineData("a: 1\n  b: 2\n")]                      // bad indentation
    [InlineData("a: &x 1\nb: *x\n")]                    // anchors and aliases
    [InlineData("a: |\n  text\n")]                      // block scalar
    [InlineData("a: 1\n---\nb: 2\n")]                   // a second document
    [InlineData("a:\tb\n")]                             // tab
    [InlineData("a: 1\r\nb: 2\r\n")]                    // CRLF
    [InlineData("a: [1,\n  2]\n")]                      // flow over two lines
    [InlineData("a: \"x\\ty\"\n")]                      // escape
    [InlineData("a: [2001:db8::1]\n")]                  // unquoted IPv6 in a flow list
    [InlineData("")]                                    // empty
    public void The_subset_parser_declines_what_it_does_not_read(string text)
    {
        Assert.Null(SubsetYamlParser.TryParse(text));
    }

    [Theory]
    [InlineData("management:\nrules:   # none yet\nversion: 1\n")]                    // empty values: just after the colon
    [InlineData("rules:\n- name: a\n  ports:\n  - 80\n  - 443\n  action: allow\n")]  // indentless lists, a compact mapping
    [InlineData("a:\n    b:\n        - {c: d, e: [f, 'g''h']}\n    i: \"j k\"\n")]   // deep indentation, quotes
    [InlineData("-   a: 1\n    b: x y z   # trailing\n- [ ]\n- {}\n")]               // a root list, spaces inside
    [InlineData("'quoted key': 1\n\"other\": a#b\nurl: http://x:80/p # é\n")]       // quoted keys, '#' and ':' inside
    public void Hand_written_styles_parse_to_YamlDotNets_tree(string text)
    {
        SourceNode? subset = SubsetYamlParser.TryParse(text);
        Assert.True(subset is not null, "declined");
        Assert.Equal(SourceTreeText.Render(FullYamlParser.Parse(text)), SourceTreeText.Render(subset.Value));
    }

    [Fact]
    public void A_key_near_YAMLs_1024_character_limit_is_left_to_YamlDotNet()
    {
        Assert.Null(SubsetYamlParser.TryParse(new string('k', 1010) + ": v\n"));
        Assert.Null(SubsetYamlParser.TryParse("a: {" + new string('k', 1010) + ": v}\n"));
    }

    private static Arbitrary<int> Seeds() => Arb.From(Gen.Choose(0, int.MaxValue));

    private static List<string> Diagnostics(string text, bool fullParserOnly)
    {
        var bag = new DiagnosticBag();
        PolicyDocument? document = new PolicyLoader(bag, fullParserOnly).Load("generated.yaml", text);
        if (document is not null)
        {
            new PolicyValidator(bag, document).Validate();
        }

        return bag.ToSortedList().Select(d => d.ToString()).ToList();
    }
}
