namespace Microseg.Datapath.Abi;

/// <summary>How a <see cref="Direction"/> is spelled in policies, flow records and every output.</summary>
public static class DirectionNames
{
    /// <summary>"ingress" or "egress".</summary>
    public static string Name(this Direction direction) => direction == Direction.Ingress ? "ingress" : "egress";
}
