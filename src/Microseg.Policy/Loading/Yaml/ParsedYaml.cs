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
    public static ParsedYaml Parse(string text, bool fullParserOnly = false)
    {
        // NUL is the subset parser's end-of-text sentinel, and YamlDotNet's scanner does not stop
        // on it either: a NUL part-way through made the settings loader spin (found by afl++,
        // fuzz/regressions/settings). No text file holds one, so it is refused where it is.
        int nul = text.IndexOf('\0');
        if (nul >= 0)
            return new ParsedYaml([], NulError(text, nul));
        return !fullParserOnly && SubsetYamlParser.TryParse(text) is { } root
            ? new ParsedYaml([root], null)
            : FullYamlParser.Parse(text);
    }

    private static YamlSyntaxError NulError(string text, int index)
    {
        int line = 1, lineStart = 0;
        for (int i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return new YamlSyntaxError(line, index - lineStart + 1, "a NUL character: this is not a text file");
    }
}
