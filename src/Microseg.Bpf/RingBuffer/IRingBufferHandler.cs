namespace Microseg.Bpf;

/// <summary>
/// Receives ring-buffer records. Implement it on a struct and pass it by ref to
/// <see cref="RingBufferReader.Poll{THandler}"/>: the call is then specialised for the
/// struct, with no boxing and no delegate allocation.
/// </summary>
public interface IRingBufferHandler
{
    /// <summary>
    /// One committed record. The span points into the ring's shared memory and is valid only
    /// during this call: the producer may overwrite it once the reader commits past it.
    /// </summary>
    void OnRecord(ReadOnlySpan<byte> record);
}
