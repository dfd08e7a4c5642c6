using System.Reflection;
using System.Runtime.InteropServices;
using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.TestSupport;

namespace Microseg.Datapath.Tests;

/// <summary>
/// The C# mirrors against the compiled objects' BTF: every struct marked
/// <see cref="MirrorsCStructAttribute"/> must have the C struct's size, the same members in
/// the same order, and each at the same offset. A drift fails here instead of corrupting maps.
/// </summary>
public sealed class AbiLayoutTests
{
    private static readonly Type[] Mirrors = typeof(MirrorsCStructAttribute).Assembly.GetTypes()
        .Where(t => t.GetCustomAttribute<MirrorsCStructAttribute>() is not null)
        .OrderBy(t => t.Name)
        .ToArray();

    public static TheoryData<string> MirrorNames => [.. Mirrors.Select(t => t.Name)];

    [Fact]
    public void EveryAbiStructHasAMirror()
    {
        // Each struct the ABI header defines, by its static size assertion.
        var header = File.ReadAllText(Path.Combine(ArtifactPaths.RepositoryRoot, "bpf/include/microseg_abi.h"));
        var declared = System.Text.RegularExpressions.Regex.Matches(header, @"_Static_assert\(sizeof\(struct (\w+)\)")
            .Select(m => m.Groups[1].Value).ToHashSet();
        var mirrored = Mirrors.Select(t => t.GetCustomAttribute<MirrorsCStructAttribute>()!.CName).ToHashSet();
        Assert.Empty(declared.Except(mirrored));
        Assert.Empty(mirrored.Except(declared));
    }

    [Theory]
    [MemberData(nameof(MirrorNames))]
    public void MirrorMatchesTheObjectsBtf(string mirrorName)
    {
        var mirror = Mirrors.Single(t => t.Name == mirrorName);
        var cName = mirror.GetCustomAttribute<MirrorsCStructAttribute>()!.CName;
        var layout = FindInObjects(cName);

        Assert.True(layout.Size == (uint)Marshal.SizeOf(mirror),
            $"struct {cName} is {layout.Size} bytes in BTF, {mirror.Name} is {Marshal.SizeOf(mirror)}");
        var fields = mirror.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .OrderBy(f => Marshal.OffsetOf(mirror, f.Name).ToInt64())
            .ToArray();
        Assert.Equal(layout.Members.Select(m => PascalCase(m.Name)), fields.Select(f => f.Name));
        foreach (var (member, field) in layout.Members.Zip(fields))
        {
            var offset = Marshal.OffsetOf(mirror, field.Name).ToInt64();
            Assert.True(member.ByteOffset == offset,
                $"{cName}.{member.Name} is at byte {member.ByteOffset} in BTF, {mirror.Name}.{field.Name} at {offset}");
            var size = Marshal.SizeOf(field.FieldType.IsEnum ? Enum.GetUnderlyingType(field.FieldType) : field.FieldType);
            Assert.True(member.Size == size,
                $"{cName}.{member.Name} is {member.Size} bytes in BTF, {mirror.Name}.{field.Name} is {size}");
        }
    }

    // Structs used by both programs appear in either object; some only in one.
    private static BtfStructLayout FindInObjects(string cName)
    {
        foreach (var name in new[] { "xdp_ingress", "tc_egress" })
        {
            using var btf = BtfFile.Parse(ArtifactPaths.BpfObject(name));
            if (btf.TryGetStruct(cName, out var layout))
                return layout;
        }
        throw new Xunit.Sdk.XunitException($"struct {cName} is in neither object's BTF: is it used by a map or an event?");
    }

    private static string PascalCase(string snake) =>
        string.Concat(snake.Split('_').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));
}
