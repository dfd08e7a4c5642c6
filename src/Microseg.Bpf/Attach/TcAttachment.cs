namespace Microseg.Bpf;

/// <summary>
/// A direct-action BPF filter this process attached with <see cref="Tc"/>, and whether the
/// clsact qdisc was created for it, so <see cref="Tc.Detach(TcAttachment)"/> tears down
/// only what was set up.
/// </summary>
public sealed class TcAttachment
{
    /// <summary>Creates the record (normally returned by <see cref="Tc"/>).</summary>
    public TcAttachment(int ifindex, TcDirection direction, uint handle, uint priority, uint programId, bool createdHook)
    {
        Ifindex = ifindex;
        Direction = direction;
        Handle = handle;
        Priority = priority;
        ProgramId = programId;
        CreatedHook = createdHook;
    }

    /// <summary>The device, in the namespace the attach ran in.</summary>
    public int Ifindex { get; }

    /// <summary>Ingress or egress hook.</summary>
    public TcDirection Direction { get; }

    /// <summary>The filter handle.</summary>
    public uint Handle { get; }

    /// <summary>The filter priority (lower runs first).</summary>
    public uint Priority { get; }

    /// <summary>The kernel id of the attached program.</summary>
    public uint ProgramId { get; }

    /// <summary>True if the clsact qdisc did not exist and this attachment created it.</summary>
    public bool CreatedHook { get; }

    /// <inheritdoc/>
    public override string ToString()
        => $"tc {Direction.ToString().ToLowerInvariant()} filter on ifindex {Ifindex} (handle {Handle}, priority {Priority}, program id {ProgramId})";
}
