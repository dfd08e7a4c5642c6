using System.Collections.Concurrent;
using Microseg.Datapath.Abi;
using Microseg.Flows.Records;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Attribution;

/// <summary>
/// Names each new flow's local unit without slowing the event thread. The event thread asks
/// <see cref="TryCached"/> (a lock-free dictionary read: the unit of a listening or bound socket,
/// cached per interface, protocol, local address and port for <see cref="ListenerTtl"/>); on a miss
/// it hands the record to <see cref="TryQueue"/>, a bounded queue (full: the record goes unnamed
/// and <see cref="AttributionStats.Dropped"/> counts it). A thread of its own asks the kernel
/// (<see cref="LocalUnitResolver"/>) and gives each record back, named or not, to the callback
/// passed to <see cref="Start"/>. Neither call on the event thread allocates.
/// </summary>
public sealed class FlowAttributor : IDisposable
{
    /// <summary>
    /// Records waiting to be named. A new flow takes ~20 µs to name (two netlink round trips);
    /// 4,096 waiting is a burst of new connections of a fifth of a second, ~600 KB of structs.
    /// </summary>
    public const int DefaultQueueCapacity = 4096;

    /// <summary>Listening sockets remembered at most (a host listens on far fewer ports).</summary>
    public const int MaxCachedListeners = 4096;

    /// <summary>
    /// How long a listener's unit is trusted: a service restarted into another unit on the same
    /// port is named right again within this time.
    /// </summary>
    public static readonly TimeSpan ListenerTtl = TimeSpan.FromSeconds(30);

    private readonly ILocalUnitResolver _resolver;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<ListenerKey, CachedUnit> _listeners = new();

    // The queue: a ring of records and their sequence numbers in the store's recent ring,
    // guarded by _queueLock; the resolver thread waits on it.
    private readonly object _queueLock = new(); // an object, not a Lock: the thread waits on it (Monitor.Wait)
    private readonly (FlowRecord Record, long Sequence)[] _queue;
    private int _head;
    private int _count;
    private bool _stopping;

    private Thread? _thread;
    private long _queued, _named, _unnamed, _dropped, _cacheHits;

    // Drops told in the log so far, and when (the resolver thread's; at most once a minute).
    private long _droppedTold;
    private long _toldAt;

    internal FlowAttributor(ILocalUnitResolver resolver, ILogger logger, int queueCapacity = DefaultQueueCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCapacity, 1);
        _resolver = resolver;
        _logger = logger;
        _queue = new (FlowRecord, long)[queueCapacity];
    }

    /// <summary>An attributor asking the kernel of this host; <paramref name="namespacesOf"/> maps an interface index to its network namespaces.</summary>
    public static FlowAttributor Create(ILogger logger, Func<uint, IReadOnlyList<string?>>? namespacesOf = null) =>
        new(new LocalUnitResolver(logger, namespacesOf: namespacesOf), logger);

    /// <summary>The records named: the first packets of flows a policy judged, over tcp or udp (flow ends are not).</summary>
    public static bool Wants(in FlowRecord record) => record.IsJudgedFlow && FlowText.HasPorts(record.Protocol);

    /// <summary>Counts since start.</summary>
    public AttributionStats Stats => new(
        Interlocked.Read(ref _queued), Interlocked.Read(ref _named), Interlocked.Read(ref _unnamed),
        Interlocked.Read(ref _dropped), Interlocked.Read(ref _cacheHits));

    /// <summary>
    /// The cached unit of the listening or bound socket on the record's local port (null when it
    /// is known to have none); false when nothing fresh is cached. Event thread; allocates nothing.
    /// </summary>
    public bool TryCached(in FlowRecord record, out string? unit)
    {
        if (_listeners.TryGetValue(ListenerKey.Of(record), out CachedUnit cached) && Environment.TickCount64 < cached.ExpiresAt)
        {
            Interlocked.Increment(ref _cacheHits);
            unit = cached.Unit;
            return true;
        }
        unit = null;
        return false;
    }

    /// <summary>Queues a record to be named; false (and counted as dropped) when the queue is full. Allocates nothing.</summary>
    public bool TryQueue(in FlowRecord record, long sequence)
    {
        lock (_queueLock)
        {
            if (_count == _queue.Length || _thread is null || _stopping)
            {
                Interlocked.Increment(ref _dropped);
                return false;
            }
            _queue[(_head + _count) % _queue.Length] = (record, sequence);
            _count++;
            if (_count == 1)
                Monitor.Pulse(_queueLock);
        }
        Interlocked.Increment(ref _queued);
        return true;
    }

    /// <summary>
    /// Starts the resolver thread: each queued record is handed to <paramref name="named"/> with
    /// its local unit set (or still null), in queue order; <paramref name="batchDone"/> runs when
    /// the queue is empty again (the flow log is flushed there).
    /// </summary>
    public void Start(Action<FlowRecord, long> named, Action batchDone)
    {
        if (_thread is not null)
            throw new InvalidOperationException("the attributor is started already");
        _thread = new Thread(() => Run(named, batchDone)) { IsBackground = true, Name = "microseg attribution" };
        _thread.Start();
    }

    /// <summary>Names what is queued, then stops the thread (waiting at most <paramref name="timeout"/>).</summary>
    public void Stop(TimeSpan timeout)
    {
        lock (_queueLock)
        {
            _stopping = true;
            Monitor.Pulse(_queueLock);
        }
        _thread?.Join(timeout);
    }

    private void Run(Action<FlowRecord, long> named, Action batchDone)
    {
        while (true)
        {
            (FlowRecord Record, long Sequence) item;
            lock (_queueLock)
            {
                while (_count == 0 && !_stopping)
                    Monitor.Wait(_queueLock);
                if (_count == 0)
                    return;
                item = _queue[_head];
                _queue[_head] = default; // drop the record's string references
                _head = (_head + 1) % _queue.Length;
                _count--;
            }
            TellDrops();
            FlowRecord record = Name(item.Record);
            try
            {
                named(record, item.Sequence);
                bool empty;
                lock (_queueLock)
                    empty = _count == 0;
                if (empty)
                    batchDone();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _logger.LogError("Recording a named flow failed: {Error}", e.Message);
            }
        }
    }

    /// <summary>Warns of flows left unnamed by a full queue since the last warning, at most once a minute.</summary>
    private void TellDrops()
    {
        long dropped = Interlocked.Read(ref _dropped);
        if (dropped == _droppedTold || Environment.TickCount64 - _toldAt < 60_000)
            return;
        _logger.LogWarning("{Count} new flows were left without their local unit: more arrived than could be named ({Capacity} wait at most).",
            dropped - _droppedTold, _queue.Length);
        _droppedTold = dropped;
        _toldAt = Environment.TickCount64;
    }

    /// <summary>The record with its local unit, and the unit cached when the socket serves its whole port.</summary>
    internal FlowRecord Name(in FlowRecord record)
    {
        LocalUnitLookup found = _resolver.Resolve(record);
        if (found.Shared)
        {
            if (_listeners.Count >= MaxCachedListeners)
                _listeners.Clear();
            _listeners[ListenerKey.Of(record)] = new CachedUnit(found.Unit, Environment.TickCount64 + (long)ListenerTtl.TotalMilliseconds);
        }
        if (found.Unit is null)
        {
            Interlocked.Increment(ref _unnamed);
            return record;
        }
        Interlocked.Increment(ref _named);
        return record with { LocalUnit = found.Unit };
    }

    public void Dispose()
    {
        Stop(TimeSpan.FromSeconds(2));
        _resolver.Dispose();
    }

    /// <summary>What a listening or bound socket is cached by: the interface (and so the network namespace), protocol, local address and port.</summary>
    private readonly record struct ListenerKey(uint Ifindex, byte Protocol, IpAddress16 Address, ushort Port)
    {
        public static ListenerKey Of(in FlowRecord record) => new(record.Ifindex, record.Protocol, record.LocalAddress, record.LocalPort);
    }

    /// <summary>A cached unit (null: the socket's cgroup has no name) and when it stops being trusted (Environment.TickCount64).</summary>
    private readonly record struct CachedUnit(string? Unit, long ExpiresAt);
}
