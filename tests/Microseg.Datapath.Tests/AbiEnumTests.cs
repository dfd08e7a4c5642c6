using System.Reflection;
using System.Text.RegularExpressions;
using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.TestSupport;

namespace Microseg.Datapath.Tests;

/// <summary>
/// Every enum of microseg_abi.h (its constants included: they are enums so that they reach
/// BTF) against its C# mirror, value by value and both ways, as compiled into each program.
/// Mirrors are found by <see cref="MirrorsCEnumAttribute"/>, so an enum added to the header
/// and mirrored is checked without a change here; one left unanchored or unmirrored fails.
/// </summary>
public sealed class AbiEnumTests
{
    private static readonly string[] Objects = ["xdp_ingress", "tc_egress"];

    private static readonly (Type Type, MirrorsCEnumAttribute Mirror)[] Mirrors = typeof(MirrorsCEnumAttribute).Assembly.GetTypes()
        .SelectMany(t => t.GetCustomAttributes<MirrorsCEnumAttribute>().Select(a => (t, a)))
        .ToArray();

    public static TheoryData<string, string> MirroredEnums()
    {
        var data = new TheoryData<string, string>();
        foreach (var objectName in Objects)
        {
            foreach (var (_, mirror) in Mirrors)
                data.Add(objectName, mirror.CName);
        }
        return data;
    }

    [Fact]
    public void EveryEnumOfTheHeaderIsInEachObjectsBtf()
    {
        foreach (var name in Objects)
        {
            var inBtf = BtfEnums(name).Keys.ToHashSet();
            var missing = HeaderEnums().Where(e => !inBtf.Contains(e)).ToList();
            Assert.True(missing.Count == 0,
                $"{name}.bpf.o's BTF lacks enum {string.Join(", ", missing)}: anchor each with MS_BTF_ENUM in bpf/include/ms_abi_check.h");
        }
    }

    [Fact]
    public void EveryAbiEnumHasOneMirrorAndEveryMirrorAnEnum()
    {
        var abi = HeaderEnums().Union(Objects.SelectMany(o => BtfEnums(o).Keys).Where(e => e.StartsWith("ms_", StringComparison.Ordinal))).ToHashSet();
        var mirrored = Mirrors.Select(m => m.Mirror.CName).ToList();
        var unmirrored = abi.Except(mirrored).ToList();
        Assert.True(unmirrored.Count == 0,
            $"enum {string.Join(", ", unmirrored)} has no C# mirror: mark one with [MirrorsCEnum] in src/Microseg.Datapath/Abi/");
        Assert.Empty(mirrored.Except(abi));
        Assert.Equal(mirrored.Count, mirrored.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(MirroredEnums))]
    public void EveryValueIsTheSameInCAndCSharp(string objectName, string cName)
    {
        var (type, mirror) = Mirrors.Single(m => m.Mirror.CName == cName);
        Assert.True(BtfEnums(objectName).TryGetValue(cName, out var btf), $"enum {cName} is not in {objectName}.bpf.o's BTF");
        var members = Members(type);
        foreach (var (name, value) in btf.Values)
        {
            Assert.True(name.StartsWith(mirror.Prefix, StringComparison.Ordinal), $"{name} of enum {cName} lacks the prefix {mirror.Prefix}");
            var csharp = PascalCase(name[mirror.Prefix.Length..]);
            Assert.True(members.TryGetValue(csharp, out var mirrored), $"{name} = {value} (enum {cName}) has no {type.Name}.{csharp}");
            Assert.True(mirrored == value, $"{name} is {value} in C, {type.Name}.{csharp} is {mirrored}");
        }
        // C# to C: every member of the mirror is some enumerator of the enums it mirrors.
        var cNames = Mirrors.Where(m => m.Type == type)
            .SelectMany(m => BtfEnums(objectName)[m.Mirror.CName].Values.Select(v => PascalCase(v.Key[m.Mirror.Prefix.Length..])))
            .ToHashSet();
        var extra = members.Keys.Where(k => !cNames.Contains(k) && !(k == "None" && type.IsDefined(typeof(FlagsAttribute)) && members[k] == 0)).ToList();
        Assert.True(extra.Count == 0, $"{type.Name}.{string.Join(", ", extra)} has no counterpart in enum {string.Join(" or ", Mirrors.Where(m => m.Type == type).Select(m => m.Mirror.CName))}");
    }

    /// <summary>An enum's members, or a static class's constants, by name with their values.</summary>
    private static Dictionary<string, long> Members(Type type) => type.IsEnum
        ? Enum.GetNames(type).ToDictionary(n => n, n => Convert.ToInt64(Enum.Parse(type, n), System.Globalization.CultureInfo.InvariantCulture))
        : type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .ToDictionary(f => f.Name, f => Convert.ToInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture));

    private static IEnumerable<string> HeaderEnums()
    {
        var header = File.ReadAllText(Path.Combine(ArtifactPaths.RepositoryRoot, "bpf/include/microseg_abi.h"));
        return Regex.Matches(header, @"^enum (\w+)\s*\{", RegexOptions.Multiline).Select(m => m.Groups[1].Value);
    }

    private static Dictionary<string, BtfEnum> BtfEnums(string objectName)
    {
        using var btf = BtfFile.Parse(ArtifactPaths.BpfObject(objectName));
        return btf.Enums().ToDictionary(e => e.Name);
    }

    private static string PascalCase(string upperSnake) =>
        string.Concat(upperSnake.Split('_').Select(part => part.Length == 0 ? part : part[0] + part[1..].ToLowerInvariant()));
}
