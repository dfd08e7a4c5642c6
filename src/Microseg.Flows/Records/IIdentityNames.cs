namespace Microseg.Flows.Records;

/// <summary>
/// Turns the kernel's numbers into names. The daemon builds one from the policy it applied
/// (<see cref="IdentityNames.From"/>) and swaps it on each reload; an event judged under an older
/// policy may name a number the new table lacks, which reads as "identity #N" or "rule #N".
/// Implementations return the same string instance for the same number, so decoding allocates nothing.
/// </summary>
public interface IIdentityNames
{
    /// <summary>The identity's name: "world" for 1, "host" for 2.</summary>
    string Identity(uint id);

    /// <summary>The rule's name; null for 0 (the endpoint default).</summary>
    string? Rule(uint ruleId);
}
