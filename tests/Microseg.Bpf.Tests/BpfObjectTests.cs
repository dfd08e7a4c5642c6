using System.Runtime.InteropServices;
using Microseg.TestSupport;
using Xunit;

namespace Microseg.Bpf.Tests;

public sealed class BpfObjectTests
{
    [Fact]
    public void Opening_a_missing_file_throws_with_the_call_and_ENOENT()
    {
        var error = Assert.Throws<BpfException>(() => BpfObject.Open("/nonexistent/missing.bpf.o"));
        Assert.Equal("bpf_object__open_file", error.Call);
        Assert.Equal(2, error.Errno);
        Assert.Contains("/nonexistent/missing.bpf.o", error.Message);
    }

    [Fact]
    public void Open_without_load_finds_maps_and_programs_by_name()
    {
        using BpfObject bpf = BpfObject.Open(Fixtures.ObjectPath);
        Assert.False(bpf.IsLoaded);
        Assert.Contains("interop_hash", bpf.MapNames);
        Assert.Equal(BpfMapType.LpmTrie, bpf.GetMap("interop_lpm").Type);
        Assert.Equal(BpfProgramType.Xdp, bpf.GetProgram("xdp_pass").ProgramType);
        Assert.Equal(BpfProgramType.SchedClassifier, bpf.GetProgram("tc_pass").ProgramType);
        Assert.False(bpf.TryGetMap("no_such_map", out _));
        var missing = Assert.Throws<KeyNotFoundException>(() => bpf.GetProgram("no_such_program"));
        Assert.Contains("no_such_program", missing.Message);
        // No fd before load: a clear error, not -1 handed to the kernel.
        Assert.Throws<InvalidOperationException>(() => bpf.GetMap("interop_hash").Handle);
    }

    [PrivilegedFact]
    public void Load_gives_maps_and_programs_fds_ids_and_tags()
    {
        using var pins = new BpfPinDirectory();
        using BpfObject bpf = Fixtures.Load(pins.Path);
        BpfProgram program = bpf.GetProgram("xdp_pass");
        Assert.False(program.Handle.IsInvalid);
        Assert.Same(program.Handle, program.Handle);
        Assert.NotEqual(0u, program.Id);
        Assert.Matches("^[0-9a-f]{16}$", program.Tag);
        BpfMap hash = bpf.GetMap("interop_hash");
        Assert.Same(hash, bpf.GetMap("interop_hash"));
        Assert.NotEqual(0u, hash.Id);
        Assert.Equal(8u, hash.KeySize);
        Assert.Equal(24u, hash.ValueSize);
        Assert.Equal(1024u, hash.MaxEntries);
    }

    [PrivilegedFact]
    public void Disposing_the_object_makes_its_maps_unusable()
    {
        using var pins = new BpfPinDirectory();
        BpfMap map;
        using (BpfObject bpf = Fixtures.Load(pins.Path))
            map = bpf.GetMap("interop_hash");
        Assert.Throws<ObjectDisposedException>(() => map.Handle);
    }

    [PrivilegedFact]
    public void A_map_used_before_its_object_is_disposed_refuses_calls_after()
    {
        using var pins = new BpfPinDirectory();
        BpfMap<FlowKey, FlowValue> typed;
        SafeHandle handle;
        using (BpfObject bpf = Fixtures.Load(pins.Path))
        {
            BpfMap map = bpf.GetMap("interop_hash");
            typed = map.As<FlowKey, FlowValue>();
            typed.Update(default, default);
            handle = map.Handle;
            Assert.False(handle.IsClosed);
        }
        // The object closed the fd it owned; the borrowed handle was closed first, so the
        // number (which the kernel may already have given to someone else) is never used.
        Assert.True(handle.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => typed.TryLookup(default, out _));
    }

    [PrivilegedFact]
    public void SetMapMaxEntries_takes_effect_and_is_refused_after_load()
    {
        using var pins = new BpfPinDirectory();
        using BpfObject bpf = BpfObject.Open(Fixtures.ObjectPath, new BpfObjectOpenOptions { PinRootPath = pins.Path });
        bpf.SetMapMaxEntries("interop_hash", 4096);
        bpf.Load();
        BpfMap hash = bpf.GetMap("interop_hash");
        Assert.Equal(4096u, hash.MaxEntries);
        using (BpfMap reopened = BpfMap.OpenById(hash.Id))
            Assert.Equal(4096u, reopened.MaxEntries);
        Assert.Throws<InvalidOperationException>(() => bpf.SetMapMaxEntries("interop_hash", 8));
    }

    [Fact]
    public void Initial_value_of_rodata_holds_the_globals_default()
    {
        using BpfObject bpf = BpfObject.Open(Fixtures.ObjectPath);
        Span<byte> rodata = bpf.GetInitialValue(".rodata");
        Assert.True(rodata.Length >= 4);
        // ring_records_per_run = 1 in the C source; it is the first .rodata variable.
        Assert.Equal(1u, BitConverter.ToUInt32(rodata[..4]));
        bpf.SetReadOnlyGlobal("ring_records_per_run", 7u);
        Assert.Equal(7u, BitConverter.ToUInt32(bpf.GetInitialValue(".rodata")[..4]));
        Assert.Throws<ArgumentException>(() => bpf.SetReadOnlyGlobal("ring_records_per_run", 7UL));
        Assert.Throws<KeyNotFoundException>(() => bpf.SetReadOnlyGlobal("no_such_global", 1u));
    }

    [PrivilegedFact]
    public void A_verifier_rejection_carries_the_verifier_log()
    {
        using BpfObject bpf = BpfObject.Open(ArtifactPaths.BpfObject("interop_rejected"));
        LibbpfLog.Sink = null; // keep the expected failure's log out of the test output
        try
        {
            var error = Assert.Throws<BpfException>(bpf.Load);
            Assert.Equal("bpf_object__load", error.Call);
            Assert.Contains("xdp_unchecked_read", error.Message);
            Assert.Contains("invalid access to packet", error.Message);
        }
        finally
        {
            LibbpfLog.Sink = LibbpfLog.WriteWarningsToStandardError;
        }
    }

    [PrivilegedFact]
    public void Maps_pinned_by_name_are_created_under_the_pin_root_and_reused()
    {
        using var pins = new BpfPinDirectory();
        uint firstId;
        using (BpfObject first = Fixtures.Load(pins.Path))
        {
            firstId = first.GetMap("interop_pinned").Id;
            first.GetMap("interop_pinned").As<uint, ulong>().Update(1, 42);
        }
        Assert.True(File.Exists(pins.Combine("interop_pinned")));
        using BpfObject second = Fixtures.Load(pins.Path);
        BpfMap<uint, ulong> reused = second.GetMap("interop_pinned").As<uint, ulong>();
        Assert.Equal(firstId, reused.Map.Id);
        Assert.True(reused.TryLookup(1, out ulong value));
        Assert.Equal(42UL, value);
    }
}
