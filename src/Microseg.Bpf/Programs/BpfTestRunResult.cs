namespace Microseg.Bpf;

/// <summary>What BPF_PROG_TEST_RUN reported.</summary>
public readonly struct BpfTestRunResult
{
    /// <summary>Creates a result.</summary>
    public BpfTestRunResult(uint returnValue, uint durationNs, int packetOutLength, int contextOutLength)
    {
        ReturnValue = returnValue;
        DurationNs = durationNs;
        PacketOutLength = packetOutLength;
        ContextOutLength = contextOutLength;
    }

    /// <summary>The program's return value (an XDP action, a TC_ACT_* code, ...).</summary>
    public uint ReturnValue { get; }

    /// <summary>Average nanoseconds per repetition, as the kernel measured it.</summary>
    public uint DurationNs { get; }

    /// <summary>Bytes of packet the program left (written to the output span up to its length).</summary>
    public int PacketOutLength { get; }

    /// <summary>Bytes of context written back (0 when no context output was given).</summary>
    public int ContextOutLength { get; }
}
