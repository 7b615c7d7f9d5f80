@echo off
rem The workshop command, fast: runs the built CLI directly, and builds it first only when it is missing or a
rem source it is made from (lib\, templates\, the build's .props and global.json) is newer than the build.
rem `dotnet run --project lib\Workshop.Cli -- <verb>` does the same, but checks the whole build every time.
setlocal
set "ROOT=%~dp0"
set "BUILT=%ROOT%lib\Workshop.Cli\bin\Debug\net10.0\workshop.dll"
set "STALE="
if not exist "%BUILT%" (
  set "STALE=no build yet"
) else (
  for /f "usebackq delims=" %%F in (`powershell -NoProfile -ExecutionPolicy Bypass -Command ^
    "$built = (Get-Item -LiteralPath $env:BUILT).LastWriteTimeUtc;" ^
    "$files = @(Get-ChildItem -LiteralPath (Join-Path $env:ROOT 'lib'), (Join-Path $env:ROOT 'templates') -Recurse -File | Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' });" ^
    "$files += @('Directory.Build.props', 'Directory.Packages.props', 'global.json' | ForEach-Object { Get-Item -LiteralPath (Join-Path $env:ROOT $_) });" ^
    "$files | Where-Object { $_.LastWriteTimeUtc -gt $built } | Select-Object -First 1 -ExpandProperty Name"`) do set "STALE=%%F changed"
)
if defined STALE (
  echo workshop: building lib\Workshop.Cli ^(%STALE%^) ... 1>&2
  dotnet build "%ROOT%lib\Workshop.Cli" --nologo -v quiet -clp:NoSummary 1>&2
  if errorlevel 1 (
    echo workshop: the build failed; fix the errors above and run the command again. 1>&2
    exit /b 1
  )
  powershell -NoProfile -Command "(Get-Item -LiteralPath $env:BUILT).LastWriteTimeUtc = [DateTime]::UtcNow"
)
dotnet "%BUILT%" %*
exit /b %ERRORLEVEL%
