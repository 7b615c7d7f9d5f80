"""Jupyter's own conformance suite (jupyter_kernel_test) run against the kit's C# kernel.

Run by tests/Workshop.Notebooks.Tests/KernelTests.cs with Debian's python3, after installing the kernelspec
into a temporary prefix named by JUPYTER_PATH.
"""
import unittest

import jupyter_kernel_test


class StreamingWorkshopKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "streaming-workshop-csharp"
    language_name = "csharp"
    file_extension = ".cs"

    code_hello_world = 'Console.WriteLine("hello, world");'
    code_stderr = 'Console.Error.WriteLine("a warning");'

    completion_samples = [
        {"text": "Console.WriteL", "matches": {"WriteLine"}},
        {"text": "var weather = 1; weat", "matches": {"weather"}},
    ]
    complete_code_samples = ["1 + 1", "var x = 1;", "Console.WriteLine(2);"]
    incomplete_code_samples = ["if (true) {", "var list = new List<int> {"]
    invalid_code_samples = ["}}}", "var x = 1; }"]

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "\"text\"", "result": "text"},
    ]
    code_display_data = [
        {"code": "display(new[] { 1, 2 });", "mime": "text/html"},
        {"code": "display(\"shown\");", "mime": "text/plain"},
    ]
    code_inspect_sample = "Console.WriteLine"
    code_generate_error = 'throw new InvalidOperationException("planned failure");'


if __name__ == "__main__":
    unittest.main()
