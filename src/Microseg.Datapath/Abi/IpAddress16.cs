using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Microseg.Datapath.Abi;

/// <summary>
/// Mirrors <c>struct ms_addr</c>: an IPv6 address, or an IPv4 address as ::ffff:a.b.c.d,
/// in network byte order.
/// </summary>
[MirrorsCStruct("ms_addr")]
public struct IpAddress16 : IEquatable<IpAddress16>
{
    /// <summary>The 16 address bytes, network order.</summary>
    public AddressBytes Bytes;

    /// <summary>16 bytes inline, so the struct stays blittable.</summary>
    [InlineArray(16)]
    public struct AddressBytes
    {
        private byte _first;
    }

    public static IpAddress16 From(IPAddress address)
    {
        var mapped = address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : address;
        var result = default(IpAddress16);
        if (!mapped.TryWriteBytes(result.Bytes, out var written) || written != 16)
            throw new ArgumentException($"'{address}' is not an IPv4 or IPv6 address", nameof(address));
        return result;
    }

    public static IpAddress16 Parse(string text) => From(IPAddress.Parse(text));

    /// <summary>True for an IPv4 address stored in its mapped form.</summary>
    public readonly bool IsIPv4Mapped
    {
        get
        {
            ReadOnlySpan<byte> b = Bytes;
            return b[..10].IndexOfAnyExcept((byte)0) < 0 && b[10] == 0xff && b[11] == 0xff;
        }
    }

    public readonly IPAddress ToIPAddress()
    {
        var address = new IPAddress((ReadOnlySpan<byte>)Bytes);
        return IsIPv4Mapped ? address.MapToIPv4() : address;
    }

    public readonly bool Equals(IpAddress16 other) => ((ReadOnlySpan<byte>)Bytes).SequenceEqual(other.Bytes);
    public override readonly bool Equals(object? obj) => obj is IpAddress16 other && Equals(other);
    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }
    public override readonly string ToString() => ToIPAddress().ToString();
    public static bool operator ==(IpAddress16 left, IpAddress16 right) => left.Equals(right);
    public static bool operator !=(IpAddress16 left, IpAddress16 right) => !left.Equals(right);
}
