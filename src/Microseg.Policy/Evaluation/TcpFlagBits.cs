namespace Microseg.Policy.Evaluation;

/// <summary>TCP header flags, with their bit values in the header's flags byte.</summary>
[Flags]
public enum TcpFlagBits : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
}
