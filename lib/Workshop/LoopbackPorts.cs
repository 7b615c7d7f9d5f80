using System.Net;
using System.Net.Sockets;

namespace StreamingWorkshop;

/// <summary>Free loopback ports for a process the kit starts and tells which port to bind: a kernel, a peer server.</summary>
public static class LoopbackPorts
{
    // Ports this process has handed out, so two processes it starts never share one.
    private static readonly HashSet<int> HandedOut = [];

    // Clear of the registered ports services commonly take (up to 10000, such as 8080 and 9090).
    private const int LowestChosen = 20000;

    /// <summary>
    /// A free loopback port below the system's ephemeral range. A port the system picks for port 0 lies in that range,
    /// which every outgoing connection on the machine also draws from: one of them could take it between this check
    /// and the child's bind, and the child would then fail to start. A port below the range is only ever taken by a bind.
    /// </summary>
    public static int PickFree()
    {
        var ceiling = EphemeralRangeStart();
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(LowestChosen, ceiling);
                if (HandedOut.Contains(port)) continue;
                try
                {
                    using var probe = new TcpListener(IPAddress.Loopback, port);
                    probe.Start();
                }
                catch (SocketException)
                {
                    continue;
                }
                HandedOut.Add(port);
                return port;
            }
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Where Linux's ephemeral ports begin (net.ipv4.ip_local_port_range); 32768, its default, elsewhere.</summary>
    public static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (range.Length > 0 && int.TryParse(range[0], out var start) && start > LowestChosen + 1000) return start;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not readable: the default below is under every other system's range too.
        }
        return 32768;
    }
}
