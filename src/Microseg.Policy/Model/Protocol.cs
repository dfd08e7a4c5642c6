namespace Microseg.Policy.Model;

/// <summary>A protocol a rule can name; the value is the IP protocol number (0 for any).</summary>
public enum Protocol : byte
{
    Any = 0,
    Icmp = 1,
    Tcp = 6,
    Udp = 17,
    IcmpV6 = 58,
}
