namespace Microseg.Policy.Model;

/// <summary>Where a rule's YAML is: a span of its file's text (kept, not copied).</summary>
/// <param name="Text">The whole text of the file the rule is in.</param>
/// <param name="Start">Offset of the rule's node in <paramref name="Text"/>.</param>
/// <param name="Length">Length of the node's text (it may run on past the node, never short of it).</param>
/// <param name="Column">Column the node starts at: block YAML's meaning depends on it.</param>
internal readonly record struct RuleSource(string Text, int Start, int Length, int Column)
{
    /// <summary>
    /// True when both rules are the same text, starting at the same column, without aliases,
    /// so they parse to the same rule (a rule depends on nothing outside its own node but
    /// aliases). False says nothing.
    /// </summary>
    public bool SameTextAs(RuleSource other)
    {
        ReadOnlySpan<char> mine = Text.AsSpan(Start, Length);
        return Column == other.Column && mine.SequenceEqual(other.Text.AsSpan(other.Start, other.Length)) && !mine.Contains('*');
    }
}
