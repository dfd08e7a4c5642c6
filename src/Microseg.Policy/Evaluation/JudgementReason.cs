namespace Microseg.Policy.Evaluation;

/// <summary>The path that produced a verdict (values match the kernel's <c>enum ms_reason</c>).</summary>
public enum JudgementReason : byte
{
    /// <summary>A management entry, boundary or rule decided.</summary>
    Rule = 1,

    /// <summary>No rule matched: the endpoint's default for the direction decided.</summary>
    Default = 2,

    /// <summary>A packet of a tracked flow: it follows the flow's verdict.</summary>
    Established = 3,

    /// <summary>An ICMP error about a tracked flow currently allowed: it passes with that flow.</summary>
    Related = 4,

    /// <summary>A tracked flow a policy change denied (enforce): this and every later packet of it, either direction, dropped.</summary>
    PolicyRevoked = 5,

    /// <summary>Truncated or invalid headers.</summary>
    Malformed = 6,

    /// <summary>A later fragment following its first fragment's verdict.</summary>
    Fragment = 7,

    /// <summary>A later fragment whose first fragment was never seen.</summary>
    FragmentUntracked = 8,

    /// <summary>The local address is no endpoint, or its endpoint's mode is off.</summary>
    EndpointOff = 9,

    /// <summary>Not an IP packet.</summary>
    NotIp = 10,

    /// <summary>IPv6 neighbor discovery (ICMPv6 types 133–137).</summary>
    NeighborDiscovery = 11,
}
