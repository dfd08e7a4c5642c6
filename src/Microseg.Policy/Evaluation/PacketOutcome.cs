namespace Microseg.Policy.Evaluation;

/// <summary>What happens to a packet (values match the kernel's <c>enum ms_verdict</c>).</summary>
public enum PacketOutcome : byte
{
    /// <summary>Passed: the policy allows it.</summary>
    Allow = 1,

    /// <summary>Dropped: denied on an endpoint that enforces.</summary>
    Deny = 2,

    /// <summary>Passed, and reported as "would deny": denied on an endpoint in monitor mode.</summary>
    WouldDeny = 3,

    /// <summary>Passed without judging: no endpoint, an endpoint in mode off, non-IP, neighbor discovery.</summary>
    Unenforced = 4,
}
