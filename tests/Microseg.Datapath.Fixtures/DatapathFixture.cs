using Microseg.Datapath.Abi;

namespace Microseg.Datapath.Fixtures;

/// <summary>One packet through one program: the input (frame and direction).</summary>
public sealed record FixtureStep(Direction Direction, byte[] Frame)
{
    public static FixtureStep In(PacketBuilder packet) => new(Direction.Ingress, packet.Build());
    public static FixtureStep Out(PacketBuilder packet) => new(Direction.Egress, packet.Build());
    public static FixtureStep In(byte[] frame) => new(Direction.Ingress, frame);
    public static FixtureStep Out(byte[] frame) => new(Direction.Egress, frame);
}

/// <summary>
/// A fixture row: a map seed, packets that set the scene, optionally a second policy applied
/// after them and packets under it, then the packet under test with its expected verdict, reason, deciding rule,
/// events and event losses. The expected counters follow from these: exactly one verdict
/// counter (direction, verdict, reason) and the rule's counter grow by this one packet.
/// </summary>
public sealed record DatapathFixture
{
    public required string Name { get; init; }
    /// <summary>The policy written before any packet; the standard policy when null.</summary>
    public Func<PolicySeed>? Seed { get; init; }
    public IReadOnlyList<FixtureStep> Before { get; init; } = [];
    /// <summary>A policy applied after <see cref="Before"/>, before the packet under test.</summary>
    public Func<PolicySeed>? ThenApply { get; init; }
    /// <summary>Packets after <see cref="ThenApply"/>'s policy, before the packet under test.</summary>
    public IReadOnlyList<FixtureStep> AfterApply { get; init; } = [];
    public required FixtureStep Packet { get; init; }
    public required Verdict Verdict { get; init; }
    public required VerdictReason Reason { get; init; }
    public uint RuleId { get; init; }
    public IReadOnlyList<FlowEventKind> Events { get; init; } = [];
    /// <summary>Events the packet under test must have lost to the rate limit.</summary>
    public ulong RateLimitedEvents { get; init; }

    /// <summary>Whether the program must drop the packet.</summary>
    public bool Dropped => Verdict == Verdict.Deny;

    public override string ToString() => Name;
}
