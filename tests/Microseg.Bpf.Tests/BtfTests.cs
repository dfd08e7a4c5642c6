using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;

namespace Microseg.Bpf.Tests;

/// <summary>
/// Reads struct layouts from the compiled fixtures object and checks the C# mirrors in
/// InteropMirrors.cs against them: the mechanical check the project uses for its ABI.
/// </summary>
public sealed class BtfTests : IDisposable
{
    private readonly BtfFile _btf = BtfFile.Parse(Fixtures.ObjectPath);

    public void Dispose() => _btf.Dispose();

    [Fact]
    public void Finds_a_struct_with_size_and_member_offsets()
    {
        Assert.True(_btf.TryGetStruct("interop_event", out BtfStructLayout? layout));
        Assert.Equal(64u, layout.Size);
        Assert.False(layout.IsUnion);
        Assert.Equal(["sequence", "run", "index", "payload"], layout.Members.Select(m => m.Name));
        Assert.Equal([0u, 8u, 12u, 16u], layout.Members.Select(m => m.ByteOffset));
        Assert.Equal([8u, 4u, 4u, 48u], layout.Members.Select(m => m.Size)); // the array resolves to its full size
        Assert.False(_btf.TryGetStruct("no_such_struct", out _));
    }

    [Fact]
    public void Anonymous_unions_have_an_empty_name_and_bitfields_their_bit_offsets()
    {
        BtfStructLayout value = _btf.GetStruct("interop_flow_value");
        Assert.Equal(24u, value.Size);
        Assert.Equal(5, value.Members.Count);
        BtfMember union = value.Members[2];
        Assert.Equal(string.Empty, union.Name);
        Assert.Equal(16u, union.ByteOffset);
        Assert.Equal(4u, union.Size);
        BtfMember verdict = value.GetMember("verdict");
        Assert.Equal(160u, verdict.BitOffset);
        Assert.Equal(4u, verdict.BitfieldSize);
        BtfMember reserved = value.GetMember("reserved");
        Assert.Equal(164u, reserved.BitOffset);
        Assert.Equal(28u, reserved.BitfieldSize);
        Assert.Throws<KeyNotFoundException>(() => value.GetMember("nope"));
    }

    [Fact]
    public void Kernel_context_structs_are_found_too()
    {
        Assert.Equal((uint)Unsafe.SizeOf<XdpMd>(), _btf.GetStruct("xdp_md").Size);
        Assert.Equal(20u, _btf.GetStruct("xdp_md").GetMember("egress_ifindex").ByteOffset);
    }

    [Theory]
    [InlineData("interop_flow_key", typeof(FlowKey), new[] { "addr:Address", "port:Port", "protocol:Protocol", "pad:Pad" })]
    [InlineData("interop_event", typeof(InteropEvent), new[] { "sequence:Sequence", "run:Run", "index:Index", "payload:Payload" })]
    [InlineData("interop_lpm_key", typeof(LpmKey), new[] { "prefix_len:PrefixLength", "addr:Address" })]
    [InlineData("interop_counter", typeof(Counter), new[] { "value:Value" })]
    public void Csharp_mirrors_match_the_compiled_layout(string cName, Type mirror, string[] fieldPairs)
    {
        BtfStructLayout layout = _btf.GetStruct(cName);
        Assert.Equal((int)layout.Size, Marshal.SizeOf(mirror));
        foreach (string pair in fieldPairs)
        {
            string[] names = pair.Split(':');
            BtfMember member = layout.GetMember(names[0]);
            int offset = (int)Marshal.OffsetOf(mirror, names[1]);
            Assert.True((int)member.ByteOffset == offset,
                $"{cName}.{names[0]} is at {member.ByteOffset} but {mirror.Name}.{names[1]} is at {offset}.");
        }
    }

    [Fact]
    public void Parsing_a_missing_file_throws_with_the_call()
    {
        var error = Assert.Throws<BpfException>(() => BtfFile.Parse("/nonexistent.bpf.o"));
        Assert.Equal("btf__parse", error.Call);
        Assert.Equal(2, error.Errno);
    }
}
