using System.Runtime.InteropServices;

namespace StreamingWorkshop.Storage;

/// <summary>
/// The few Linux file calls .NET does not offer, shared by <see cref="LinkFreePath"/> and <see cref="FileStamps"/>:
/// their flags, error numbers and structures are the same on x64 and arm64, the only processors they are used on.
/// </summary>
internal static class LinuxFileCalls
{
    public static bool Available { get; } = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    public const int PathOnly = 0x200000; // O_PATH: opens nothing, only resolves
    public const int CloseOnExec = 0x80000; // O_CLOEXEC
    public const int AtCurrentFolder = -100; // AT_FDCWD
    public const int NoFollow = 0x100; // AT_SYMLINK_NOFOLLOW

    public const int NoSuchEntry = 2; // ENOENT
    public const int NotPermitted = 1; // EPERM, what a sandbox answers for a call it refuses
    public const int NotImplemented = 38; // ENOSYS
    public const int TooManyLinks = 40; // ELOOP

    /// <summary>Whether an error says the call itself is unavailable here (an older kernel, a sandbox), not that the path failed.</summary>
    public static bool CallRefused(int error) => error is NotImplemented or NotPermitted;

    private const long OpenAt2Number = 437; // the same on every architecture that has it

    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>The fields of struct statx the kit reads.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Statx
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(96)] public long ChangeSeconds;
        [FieldOffset(104)] public uint ChangeNanoseconds;
        [FieldOffset(112)] public long LastWriteSeconds;
        [FieldOffset(120)] public uint LastWriteNanoseconds;
    }

    public static long OpenAt2(string path, ref OpenHow how) =>
        syscall(OpenAt2Number, AtCurrentFolder, path, ref how, (nuint)Marshal.SizeOf<OpenHow>());

    [DllImport("libc", SetLastError = true)]
    private static extern long syscall(long number, int folder, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, ref OpenHow how, nuint size);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    public static extern int Close(int handle);

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    public static extern int StatxAt(int folder, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, int flags, uint mask, out Statx stamp);
}
