using System.Security.Cryptography;
using Microseg.Agent.Control;
using Microseg.Agent.Lifecycle;
using Microseg.Policy;
using Microseg.Policy.Compilation;
using Microseg.Policy.Interfaces;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Reload;

/// <summary>
/// Makes the policy file live, all of it or none of it: the file is read, validated and
/// compiled, and checked against the maps' capacities, before anything is written; a bad file
/// is refused whole, its errors logged as FILE:LINE:COL and counted, and the policy already
/// enforced stays. One reload at a time. Each attached interface's owner (the endpoint judging
/// its addresses no endpoint lists) is written with the policy, and again when the interfaces'
/// addresses change who owns one (<see cref="RefreshInterfacesAsync"/>).
/// </summary>
public sealed class PolicyReloader(string policyPath, DatapathSession session, AgentStateStore store, ILogger logger,
    Func<IReadOnlyList<(uint Slot, InterfaceAddresses Addresses)>>? interfaceAddresses = null)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _statsLock = new();
    private long _succeeded, _failed;
    private DateTimeOffset? _lastSuccess;
    private IReadOnlyList<string> _lastErrors = [];
    private IReadOnlyList<string> _addressWarnings = [];
    // Compiles, checks and writes: the same applier the tests and the benchmarks drive.
    private readonly PolicyApplier _applier = new(session.Writer, session.Capacities);

    public string PolicyPath => policyPath;

    /// <summary>The live policy as compiled (for rule and identity names); null until one is applied or adopted.</summary>
    public CompiledPolicy? Live => _applier.Live;

    /// <summary>The live policy as written (for its endpoints); null until one is applied or adopted.</summary>
    public Microseg.Policy.Model.PolicyDocument? LiveDocument => _applier.LiveDocument;

    public string? LiveSha256 { get; private set; }

    public DateTimeOffset? AppliedAt { get; private set; }

    /// <summary>
    /// One sentence per address of an attached interface that no endpoint of the live policy
    /// lists, naming the interface, the address and how it is judged; as of the last read.
    /// </summary>
    public IReadOnlyList<string> AddressWarnings => Volatile.Read(ref _addressWarnings);

    public ReloadStats Stats
    {
        get
        {
            lock (_statsLock)
                return new ReloadStats(_succeeded, _failed, _lastSuccess, _lastErrors);
        }
    }

    /// <summary>
    /// At startup: applies the file, unless the maps already enforce exactly this file (an
    /// adopted datapath whose live generation is the one recorded for the same file's SHA-256),
    /// in which case nothing is written and established flows are not judged again.
    /// </summary>
    public async Task<ReloadOutcome> StartAsync(CancellationToken cancellationToken)
    {
        var state = store.Load();
        var outcome = await ReloadAsync(cancellationToken, unchangedIsLive: sha =>
            session.AdoptedState && state.PolicySha256 == sha && state.PolicyGeneration == session.Writer.ActiveGeneration
                ? state : null);
        // A kept policy keeps the owners the maps hold, which an earlier build may not have written.
        await RefreshInterfacesAsync(cancellationToken);
        return outcome;
    }

    /// <summary>
    /// Reads the attached interfaces' addresses again: refreshes <see cref="AddressWarnings"/>
    /// and, when they change which endpoint owns an interface (an endpoint's address moved, an
    /// interface was attached), writes the live policy again with the new owners. An unlisted
    /// address added to an owned interface needs no write: the kernel judges it by interface.
    /// </summary>
    public async Task RefreshInterfacesAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (LiveDocument is not { } document)
                return;
            var owners = ReadOwners(document);
            if (_applier.ApplyOwners(owners) is not { } result)
                return;
            store.Update(s => s with { PolicyGeneration = result.Generation });
            logger.LogInformation("Interface owners changed ({Owners}): generation {Generation} live.",
                DescribeOwners(owners), result.Generation);
        }
        finally
        {
            _gate.Release();
        }
    }

    private List<(uint InterfaceSlot, InterfaceOwner Owner)> ReadOwners(Microseg.Policy.Model.PolicyDocument document)
    {
        var owners = PolicyApplier.Owners(document, interfaceAddresses?.Invoke() ?? []);
        Volatile.Write(ref _addressWarnings, [.. owners.SelectMany(o => o.Owner.Warnings())]);
        return owners;
    }

    private static string DescribeOwners(List<(uint InterfaceSlot, InterfaceOwner Owner)> owners) =>
        owners.Count == 0 ? "no interfaces" : string.Join(", ", owners.Select(o => $"{o.Owner.Interface}: {o.Owner.Endpoint?.Identity ?? "none"}"));

    /// <summary>Validates and applies the file again (SIGHUP, a change to the file, the control API).</summary>
    public Task<ReloadOutcome> ReloadAsync(CancellationToken cancellationToken) =>
        ReloadAsync(cancellationToken, unchangedIsLive: null);

    private async Task<ReloadOutcome> ReloadAsync(CancellationToken cancellationToken, Func<string, AgentState?>? unchangedIsLive)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return Reload(unchangedIsLive);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Warnings logged one by one per reload; the rest are counted in one line.</summary>
    private const int WarningsLogged = 20;

    private ReloadOutcome Reload(Func<string, AgentState?>? unchangedIsLive)
    {
        // Validated without the compiler's capacity check: the one compile below reports the
        // same problems, at the same positions.
        var check = PolicyChecker.CheckFile(policyPath);
        if (!check.IsValid)
        {
            var errors = check.ReadFailure is { } failure
                ? [$"{policyPath}: {failure}"]
                : check.Diagnostics.Where(d => d.IsError).Select(d => d.ToString()).ToList();
            return Refuse(errors);
        }
        LogWarnings(check.Diagnostics.Where(d => !d.IsError).ToList());

        // From the live policy when there is one: only what changed is compiled and compared,
        // as the policy benchmark measures it.
        var document = check.Document!;
        var compiled = _applier.Compile(document);
        var sha = Sha256(document.Files);
        uint generation;
        DateTimeOffset appliedAt;
        if (unchangedIsLive?.Invoke(sha) is { } kept && _applier.Problems(document, compiled).Count == 0)
        {
            generation = kept.PolicyGeneration;
            appliedAt = kept.PolicyAppliedAt ?? DateTimeOffset.UtcNow;
            logger.LogInformation("The enforced policy (generation {Generation}) is {Path} as it is now: kept without rewriting it.", generation, policyPath);
            _applier.Keep(document, compiled);
        }
        else
        {
            var applied = _applier.Apply(document, compiled, ReadOwners(document));
            if (!applied.Applied)
                return Refuse([.. applied.Problems.Select(d => d.ToString())]);
            var written = applied.Written!.Value;
            generation = written.Generation;
            appliedAt = DateTimeOffset.UtcNow;
            logger.LogInformation("Applied {Path}: generation {Generation} live in slot {Slot} ({Written} entries written, {Deleted} deleted; {How}).",
                policyPath, generation, written.Slot, written.Written, written.Deleted,
                applied.Incremental ? "compiled and compared only where the files changed" : "compiled whole");
            store.Update(s => s with { PolicySha256 = sha, PolicyGeneration = generation, PolicyAppliedAt = appliedAt });
        }
        LiveSha256 = sha;
        AppliedAt = appliedAt;
        lock (_statsLock)
        {
            _succeeded++;
            _lastSuccess = appliedAt;
        }
        return new ReloadOutcome(true, generation, []);
    }

    /// <summary>
    /// The first <see cref="WarningsLogged"/> warnings, then a count: a policy written for a
    /// fleet can warn once per rule, and tens of thousands of lines per reload bury the journal.
    /// </summary>
    private void LogWarnings(List<Microseg.Policy.Diagnostics.Diagnostic> warnings)
    {
        foreach (var warning in warnings.Take(WarningsLogged))
            logger.LogWarning("{Diagnostic}", warning.ToString());
        if (warnings.Count > WarningsLogged)
            logger.LogWarning("{Path}: {More} more warnings not logged; `microsegctl policy check {Path}` lists them all.",
                policyPath, warnings.Count - WarningsLogged, policyPath);
    }

    private ReloadOutcome Refuse(List<string> errors)
    {
        logger.LogError("Refused {Path} with {Count} error(s); the policy enforced before stays.", policyPath, errors.Count);
        foreach (var error in errors)
            logger.LogError("{Error}", error.ReplaceLineEndings(" "));
        lock (_statsLock)
        {
            _failed++;
            _lastErrors = errors;
        }
        return new ReloadOutcome(false, Live is null ? 0 : session.Writer.ActiveGeneration, errors);
    }

    /// <summary>
    /// True when the policy's files differ from the live policy's (or none is live): a
    /// watcher's event for a file whose bytes did not change must not bump the generation.
    /// </summary>
    public bool FilesChanged()
    {
        if (LiveDocument is not { } document || LiveSha256 is null)
            return true;
        var includeDirectoryChanged = false;
        // A new or removed include changes the file list itself: compare it, then the bytes.
        var check = PolicyChecker.CheckFile(policyPath);
        if (check.Document is { } now)
            includeDirectoryChanged = !now.Files.SequenceEqual(document.Files);
        return includeDirectoryChanged || check.Document is null || Sha256(document.Files) != LiveSha256;
    }

    /// <summary>SHA-256 over every file of the policy (main and includes), each prefixed by its name.</summary>
    private static string Sha256(IEnumerable<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(file + "\0"));
            try
            {
                hash.AppendData(File.ReadAllBytes(file));
            }
            catch (IOException)
            {
                // Changed under us: the hash differs from any recorded one, which is what we want.
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
