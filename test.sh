#!/usr/bin/env bash
# The test command: installs what the suite needs on a fresh Debian machine, then runs `dotnet test` on each test project
# (extra arguments are passed on to both, e.g. ./test.sh --filter "FullyQualifiedName~Stack").
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the tests drive: Jupyter's Python side (nbformat, the kernel conformance suite, nbconvert,
# Jupyter Notebook), botocore's service models, the AWS CLI and boto3 that drive `workshop serve`, Chromium for page screenshots, tmux for terminal tests,
# and Node.js with npm for the tools below. Each is probed first, so a machine that has them skips apt.
missing=()
python_module() { /usr/bin/python3 -c "import $1" >/dev/null 2>&1; }
[ -x /usr/bin/python3 ] || missing+=(python3)
python_module nbformat || missing+=(python3-nbformat)
python_module jupyter_client || missing+=(python3-jupyter-client)
python_module jupyter_kernel_test || missing+=(python3-jupyter-kernel-test)
python_module nbconvert || missing+=(python3-nbconvert)
python_module nbclient || missing+=(python3-nbclient)
python_module botocore || missing+=(python3-botocore)
python_module boto3 || missing+=(python3-boto3)
[ -x /usr/bin/aws ] || missing+=(awscli)
command -v jupyter-notebook >/dev/null 2>&1 || missing+=(jupyter-notebook)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "The tests need these Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm tools, pinned in tests/tools/package.json: the CloudFormation resource specification the template is
# validated against, kinesalite and s3rver, the Kinesis and S3 peers the AWS backend is tested against, and axe-core,
# which checks the contrast of the exported pages' text.
tools=tests/tools/node_modules
if [ ! -f "$tools/@aws-cdk/aws-service-spec/db.json.gz" ] \
  || [ ! -f "$tools/kinesalite/cli.js" ] \
  || [ ! -f "$tools/s3rver/bin/s3rver.js" ] \
  || [ ! -f "$tools/axe-core/axe.min.js" ]; then
  echo "Installing the npm test tools into tests/tools"
  npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error
fi

# Built once, then the tests run in two lanes side by side, one per core. The notebook tests take turns among
# themselves (each runs whole notebooks, which change the process's current directory), so they run as three
# processes: the kernel's tests, which run the whole day through it with nbconvert; the tests of `workshop serve`,
# which mostly wait on the AWS CLI and boto3; and all the others. One lane runs the others, then serve's; the other
# runs the library's tests, then the kernel's. All four at once on two cores took longer (about 9.7 minutes against
# 8.8 in pairs taken in turn): they spent more CPU time contending than they saved by waiting side by side.
# Arguments of your own (a --filter, say) go to one process of each project, so your filter is the only one.
dotnet build StreamingWorkshop.slnx --nologo -v:quiet
notebook_tests() { dotnet test tests/Workshop.Notebooks.Tests --no-build "$@"; }
library_tests() { dotnet test tests/Workshop.Tests --no-build "$@"; }
report=$(mktemp)
trap 'rm -f "$report"' EXIT
if [ $# -eq 0 ]; then
  ( status=0
    notebook_tests --filter "FullyQualifiedName!~.KernelTests.&FullyQualifiedName!~.Serve" || status=$?
    notebook_tests --filter "FullyQualifiedName~.Serve" || status=$?
    exit "$status" ) > "$report" 2>&1 &
  lane=$!
  status=0
  library_tests || status=$?
  notebook_tests --filter "FullyQualifiedName~.KernelTests." || status=$?
else
  notebook_tests "$@" > "$report" 2>&1 &
  lane=$!
  status=0
  library_tests "$@" || status=$?
fi
wait "$lane" || status=$?
# The other lane's report is printed when both have finished; the exit code is non-zero if any run failed.
cat "$report"
exit "$status"
