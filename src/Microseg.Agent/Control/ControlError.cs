namespace Microseg.Agent.Control;

/// <summary>The body of a control API answer that is not the requested resource: one sentence.</summary>
public sealed record ControlError(string Error);
