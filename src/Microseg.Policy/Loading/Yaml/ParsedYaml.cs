namespace Microseg.Policy.Loading.Yaml;

/// <summary>A file's YAML as parsed: the root of each document, or the syntax error that stopped it.</summary>
/// <param name="Documents">Each document's root node, in order (none when the file holds no document).</param>
/// <param name="Failure">Why the text is not YAML, and where; null when it parsed.</param>
internal sealed record ParsedYaml(IReadOnlyList<SourceNode> Documents, YamlSyntaxError? Failure)
{
    /// <summary>
    /// Parses <paramref name="text"/>: with <see cref="SubsetYamlParser"/> when the text stays within
    /// the subset policy files use, else with <see cref="FullYamlParser"/>, which also words every
    /// syntax error. Both give the same tree for any text the subset parser accepts.
    /// </summary>
    public static ParsedYaml Parse(string text, bool fullParserOnly = false) =>
        !fullParserOnly && SubsetYamlParser.TryParse(text) is { } root
            ? new ParsedYaml([root], null)
            : FullYamlParser.Parse(text);
}
