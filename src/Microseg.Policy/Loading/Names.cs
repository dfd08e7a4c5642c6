using System.Text.RegularExpressions;

namespace Microseg.Policy.Loading;

/// <summary>What names and labels may look like.</summary>
internal static partial class Names
{
    /// <summary>Identity names: lowercase DNS-label style, so they read the same everywhere.</summary>
    public static bool IsIdentity(string name) => name.Length <= 63 && IdentityPattern().IsMatch(name);

    /// <summary>Rule, boundary and management names: shown in events and metrics labels.</summary>
    public static bool IsRule(string name) => name.Length <= 63 && RulePattern().IsMatch(name);

    /// <summary>Label keys and values.</summary>
    public static bool IsLabel(string text) => text.Length <= 253 && LabelPattern().IsMatch(text);

    // Each pattern ends in \z, not $: $ also matches before a final newline, which let "web\n" (a
    // double-quoted escape) through as a name, into events and metric labels.
    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]*[a-z0-9])?\z")]
    private static partial Regex IdentityPattern();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?\z")]
    private static partial Regex RulePattern();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?\z")]
    private static partial Regex LabelPattern();
}
