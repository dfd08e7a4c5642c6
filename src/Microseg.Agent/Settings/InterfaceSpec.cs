namespace Microseg.Agent.Settings;

/// <summary>
/// An interface to attach to: a name, or <c>*</c> for every non-loopback interface, in the
/// daemon's own network namespace or, written <c>NAME@NETNS</c>, in the named namespace
/// <c>/var/run/netns/NETNS</c> (the daemon stays in its own; attaching happens inside).
/// </summary>
public sealed record InterfaceSpec(string Name, string? Namespace)
{
    /// <summary>The name that stands for every interface except loopback.</summary>
    public const string All = "*";

    /// <summary>True for <c>*</c>.</summary>
    public bool IsAll => Name == All;

    /// <summary>Parses <c>NAME</c>, <c>NAME@NETNS</c>, <c>*</c> or <c>*@NETNS</c>; null with a reason when malformed.</summary>
    public static InterfaceSpec? TryParse(string text, out string? problem)
    {
        problem = null;
        var at = text.IndexOf('@');
        var name = at < 0 ? text : text[..at];
        var ns = at < 0 ? null : text[(at + 1)..];
        if (name.Length == 0 || name.Length > 15 || name.Contains('/') || name.Any(char.IsWhiteSpace))
            problem = $"'{text}' is not an interface name (1 to 15 characters, no '/' or spaces; '*' for all)";
        else if (ns is not null && (ns.Length == 0 || ns.Contains('/') || ns.Contains('@')))
            problem = $"'{text}' names no network namespace after '@' (write NAME@NETNS, NETNS as in `ip netns list`)";
        return problem is null ? new InterfaceSpec(name, ns) : null;
    }

    /// <summary>The same text it was parsed from.</summary>
    public override string ToString() => Namespace is null ? Name : $"{Name}@{Namespace}";
}
