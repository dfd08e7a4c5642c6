namespace Microseg.Bpf;

/// <summary>Mirrors enum libbpf_print_level.</summary>
public enum LibbpfLogLevel
{
    /// <summary>LIBBPF_WARN: failures, including the verifier log of a rejected program.</summary>
    Warning = 0,
    /// <summary>LIBBPF_INFO: progress notes.</summary>
    Info = 1,
    /// <summary>LIBBPF_DEBUG: very chatty internals.</summary>
    Debug = 2,
}
