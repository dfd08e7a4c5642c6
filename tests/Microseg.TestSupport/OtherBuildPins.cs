using System.Diagnostics;
using Microseg.Bpf;

namespace Microseg.TestSupport;

/// <summary>
/// Makes a pin directory look as a build of another map layout or ABI version left it: a map
/// re-created with other sizes (with bpftool, so nothing of ours shapes it), or another
/// version in ms_abi_version.
/// </summary>
public static class OtherBuildPins
{
    /// <summary>
    /// Replaces the map pinned at <paramref name="path"/> with a new, empty one of the given
    /// bpftool type (array, hash, lru_hash, ...), sizes and name. Returns its map id.
    /// </summary>
    public static uint ReplaceMap(string path, string type, int keySize, int valueSize, int entries)
    {
        BpfPin.Unpin(path);
        Bpftool("map", "create", path, "type", type, "key", $"{keySize}", "value", $"{valueSize}",
            "entries", $"{entries}", "name", Path.GetFileName(path));
        using var map = BpfMap.OpenPinned(path);
        return map.Id;
    }

    /// <summary>Writes <paramref name="version"/> into the pinned ms_abi_version.</summary>
    public static void SetAbiVersion(string pinDirectory, uint version)
    {
        using var map = BpfMap.OpenPinned(Path.Combine(pinDirectory, "ms_abi_version"));
        map.As<uint, uint>().Update(0, version);
    }

    /// <summary>The id of the map pinned at <paramref name="path"/>.</summary>
    public static uint MapId(string path)
    {
        using var map = BpfMap.OpenPinned(path);
        return map.Id;
    }

    private static void Bpftool(params string[] arguments)
    {
        var start = new ProcessStartInfo("bpftool") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bpftool (make deps installs it)");
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            process.Kill();
            throw new TimeoutException($"`bpftool {string.Join(' ', arguments)}` did not finish in 20 s");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"`bpftool {string.Join(' ', arguments)}` exited with {process.ExitCode}: {error.Result.Trim()}");
    }
}
