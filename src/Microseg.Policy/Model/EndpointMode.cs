namespace Microseg.Policy.Model;

/// <summary>How an endpoint applies verdicts (values match the kernel's endpoint mode).</summary>
public enum EndpointMode
{
    /// <summary>Pass everything, report nothing.</summary>
    Off = 0,

    /// <summary>Pass everything; report what enforcement would drop.</summary>
    Monitor = 1,

    /// <summary>Drop what the policy denies.</summary>
    Enforce = 2,
}
