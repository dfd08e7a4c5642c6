using Microseg.Policy.Diagnostics;
using Microseg.Policy.Loading.Yaml;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;
using RuleAction = Microseg.Policy.Model.RuleAction;

namespace Microseg.Policy.Loading;

/// <summary>
/// Reads the main policy file and its includes into a <see cref="PolicyDocument"/>, reporting every
/// structural problem (syntax, unknown keys, types, bad values) with its file, line and column.
/// </summary>
/// <param name="bag">Where problems go.</param>
/// <param name="fullParserOnly">Parse with YamlDotNet alone, never <see cref="SubsetYamlParser"/>: for tests that hold the two to the same answers.</param>
internal sealed class PolicyLoader(DiagnosticBag bag, bool fullParserOnly = false)
{
    private readonly List<IdentityDefinition> _identities = [];
    private readonly List<LocalEndpoint> _endpoints = [];
    private readonly List<PolicyRule> _rules = [];
    private readonly List<Boundary> _boundaries = [];
    private readonly List<ManagementAccess> _management = [];
    private readonly List<string> _files = [];
    private readonly List<RuleSource> _ruleSources = [];
    private readonly Dictionary<string, string> _texts = new(StringComparer.Ordinal);
    private bool _managementDeclared;

    private DiagnosticBag Bag => bag;

    /// <summary>Parses <paramref name="text"/>, read from <paramref name="path"/>; null when nothing usable was found.</summary>
    public PolicyDocument? Load(string path, string text)
    {
        if (Report(path, text, ParsedYaml.Parse(text, fullParserOnly)) is not { } root)
        {
            return null;
        }

        var reader = new NodeReader(bag, path);
        if (reader.Fields(root, "the policy file", Vocabulary.MainKeys, "version") is not { } fields)
        {
            return null;
        }

        if (fields.Value("version") is { } versionNode && reader.Text(versionNode, "'version'") is { } version && version != "1")
        {
            bag.Error(reader.At(versionNode), $"unsupported version '{Quote.Short(version)}': this Microseg reads version 1");
        }

        PolicyDefaults defaults = fields.Value("defaults") is { } d
            ? Defaults(reader, d)
            : PolicyDefaults.Standard(SourcePosition.StartOf(path));
        var sections = new SectionParser(reader, defaults);
        ReadSections(reader, sections, fields, text);

        if (fields.Value("include") is { } include && reader.Text(include, "'include'") is { } directory)
        {
            Include(path, directory, reader.At(include), defaults);
        }

        return new PolicyDocument(defaults, _identities, _endpoints, _rules, _boundaries, _management, _managementDeclared, _files)
        {
            RuleSources = _ruleSources.Count == _rules.Count ? _ruleSources : null,
            FileTexts = _texts,
        };
    }

    private SourceNode? Report(string path, string text, ParsedYaml parsed)
    {
        bag.NoteFile(path);
        _files.Add(path);
        _texts[path] = text;
        if (parsed.Failure is { } e)
        {
            var at = new SourcePosition(path, e.Line, e.Column);
            if (e.DuplicateKey is { } key)
            {
                // The parser stops at a repeated key; point at the second one.
                bag.Error(at, $"duplicate key '{Quote.Short(key)}' in this mapping",
                    "a key may appear once: merge the two entries into one list or mapping");
            }
            else
            {
                bag.Error(at, e.Message, e.Hint);
            }

            return null;
        }

        IReadOnlyList<SourceNode> documents = parsed.Documents;
        if (documents.Count == 0 || documents[0] is { IsScalar: true, Value: "" })
        {
            bag.Error(SourcePosition.StartOf(path), "the file is empty", "a policy file starts with 'version: 1'");
            return null;
        }

        if (documents.Count > 1)
        {
            bag.Error(new SourcePosition(path, documents[1].Line, documents[1].Column),
                "a policy file holds one YAML document, but this is a second one", "remove the '---' line or split the file into an include directory");
        }

        return documents[0];
    }

    private void ReadSections(NodeReader reader, SectionParser sections, MappingFields fields, string text)
    {
        Collect(reader, fields, "identities", sections.Identity, _identities);
        Collect(reader, fields, "endpoints", sections.Endpoint, _endpoints);
        if (fields.Value("rules") is { } rules)
        {
            SourceNodeList nodes = reader.List(rules, "'rules'");
            for (int i = 0; i < nodes.Count; i++)
            {
                if (sections.Rule(nodes[i]) is { } rule)
                {
                    // A node does not say where it ends: a rule's text runs to the next one, the
                    // last one's to the end of the file (more text is never wrong).
                    int start = nodes[i].Index;
                    int end = i + 1 < nodes.Count ? nodes[i + 1].Index : text.Length;
                    _rules.Add(rule);
                    _ruleSources.Add(new RuleSource(text, start, end - start, nodes[i].Column));
                }
            }
        }

        Collect(reader, fields, "boundaries", sections.Boundary, _boundaries);
        Collect(reader, fields, "management", sections.Management, _management);
        _managementDeclared |= fields.Has("management");
    }

    private static void Collect<T>(NodeReader reader, MappingFields fields, string key, Func<SourceNode, T?> parse, List<T> into)
        where T : class
    {
        if (fields.Value(key) is { } node)
        {
            foreach (SourceNode item in reader.List(node, $"'{key}'"))
            {
                if (parse(item) is { } parsed)
                {
                    into.Add(parsed);
                }
            }
        }
    }

    private static PolicyDefaults Defaults(NodeReader reader, SourceNode node)
    {
        PolicyDefaults standard = PolicyDefaults.Standard(reader.At(node));
        if (reader.Fields(node, "'defaults'", Vocabulary.DefaultsKeys) is not { } f)
        {
            return standard;
        }

        EndpointMode? mode = f.Value("mode") is { } m ? reader.Choice(m, "mode", Vocabulary.Modes) : null;
        RuleAction? ingress = f.Value("ingress") is { } i ? reader.Choice(i, "ingress default", Vocabulary.Actions) : null;
        RuleAction? egress = f.Value("egress") is { } e ? reader.Choice(e, "egress default", Vocabulary.Actions) : null;
        return new PolicyDefaults(mode ?? standard.Mode, ingress ?? standard.Ingress, egress ?? standard.Egress, f.Position);
    }

    // conf.d style: every *.yaml / *.yml file of the directory, in ordinal order of name, skipping
    // hidden files (editors' and configuration managers' temporary files start with a dot).
    private void Include(string mainPath, string directory, SourcePosition at, PolicyDefaults defaults)
    {
        string shown = Path.Combine(Path.GetDirectoryName(mainPath) ?? "", directory);
        if (!Directory.Exists(shown))
        {
            bag.Error(at, $"include directory '{directory}' does not exist (looked for {shown})");
            return;
        }

        IEnumerable<string> names = Directory.EnumerateFiles(shown)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(n => !n.StartsWith('.') && (n.EndsWith(".yaml", StringComparison.Ordinal) || n.EndsWith(".yml", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal);
        // Reading, parsing and reading into the model dominate a large policy's load, and each
        // file's are independent: each file is loaded apart, in parallel, with its own
        // diagnostics; then all are merged in name order, so the model and the diagnostics are
        // exactly what a sequential load gives.
        string[] files = names.Select(n => Path.Combine(shown, n)).ToArray();
        var parts = new (PolicyLoader? Loaded, string Failure)[files.Length];
        Parallel.For(0, files.Length, i =>
        {
            if (!PolicyFileReader.TryRead(files[i], out string text, out string failure))
            {
                parts[i] = (null, failure);
                return;
            }

            var part = new PolicyLoader(new DiagnosticBag(), fullParserOnly);
            part.IncludedFile(files[i], text, ParsedYaml.Parse(text, fullParserOnly), defaults);
            parts[i] = (part, "");
        });
        for (int i = 0; i < files.Length; i++)
        {
            if (parts[i].Loaded is not { } part)
            {
                bag.Error(at, $"cannot include {files[i]}: {parts[i].Failure.TrimEnd('.')}");
                continue;
            }

            Merge(part);
        }
    }

    // Appends what another loader read (one included file) after what this one has.
    private void Merge(PolicyLoader part)
    {
        bag.AddFrom(part.Bag);
        _identities.AddRange(part._identities);
        _endpoints.AddRange(part._endpoints);
        _rules.AddRange(part._rules);
        _boundaries.AddRange(part._boundaries);
        _management.AddRange(part._management);
        _files.AddRange(part._files);
        foreach ((string file, string text) in part._texts)
        {
            _texts[file] = text;
        }

        _ruleSources.AddRange(part._ruleSources);
        _managementDeclared |= part._managementDeclared;
    }

    private void IncludedFile(string file, string text, ParsedYaml parsed, PolicyDefaults defaults)
    {
        if (Report(file, text, parsed) is not { } root)
        {
            return;
        }

        var reader = new NodeReader(bag, file);
        if (reader.Fields(root, "an included file", Vocabulary.MainKeys) is not { } fields)
        {
            return;
        }

        foreach (string key in Vocabulary.MainKeys.Except(Vocabulary.IncludedKeys).Where(fields.Has))
        {
            bag.Error(reader.At(fields.KeyOf(key)), $"'{key}' is allowed only in the main policy file");
        }

        ReadSections(reader, new SectionParser(reader, defaults), fields, text);
    }
}
