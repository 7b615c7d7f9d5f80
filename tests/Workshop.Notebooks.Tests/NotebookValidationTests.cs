using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>A notebook is checked against nbformat 4's rules before anything in it runs; the first rule broken is named.</summary>
public class NotebookValidationTests
{
    private const string Header = "\"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}";

    [Theory]
    [InlineData("""{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "cells": []}""", "only nbformat 4 notebooks are supported; this one says nbformat 3.")]
    [InlineData("""{"nbformat": "4", "nbformat_minor": 5, "metadata": {}, "cells": []}""", "'nbformat' is missing or not a whole number")]
    [InlineData("""{"nbformat": 4, "nbformat_minor": 5, "cells": []}""", "'metadata' is missing or not an object.")]
    [InlineData("""[1, 2]""", "it is not a JSON object")]
    [InlineData("""{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": {"a": 1}}""", "'cells' must be a list of cells, not {\"a\":1}.")]
    [InlineData("""{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [7]}""", "cell 1 is 7, not an object.")]
    [InlineData("""{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"metadata": {}, "source": ""}]}""", "cell 1 has cell_type null; nbformat allows code, markdown and raw.")]
    [InlineData("""{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "markdown", "source": ""}]}""", "cell 1 has no 'metadata' object.")]
    [InlineData("""{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "raw", "metadata": {}, "source": ["a", 1]}]}""", "cell 1 has a 'source' that is neither text nor a list of text.")]
    [InlineData("""{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "metadata": {}, "source": "1", "execution_count": null}]}""", "cell 1 is a code cell without an 'outputs' list.")]
    [InlineData("""{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "metadata": {}, "source": "1", "outputs": [], "execution_count": "one"}]}""", "cell 1 is a code cell whose 'execution_count' is missing or neither a whole number nor null.")]
    [InlineData("""{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "metadata": {}, "source": "1", "outputs": [{"text": "x"}], "execution_count": 1}]}""", "cell 1 has an output that is not an object with an output_type.")]
    public void A_notebook_breaking_an_nbformat_rule_is_refused_with_the_rule(string json, string problem)
    {
        var error = Assert.Throws<FormatException>(() => Ipynb.Parse(json));
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void A_valid_notebook_with_every_cell_type_is_read()
    {
        var document = Ipynb.Parse($$"""{{{Header}}, "cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# T"]}, {"cell_type": "raw", "metadata": {}, "source": "r"}, {"cell_type": "code", "metadata": {}, "source": "1", "outputs": [], "execution_count": null}]}""");
        Assert.Equal([CellKind.Markdown, CellKind.Raw, CellKind.Code], document.Cells.Select(c => c.Kind));
    }

    [Fact]
    public void Reading_a_broken_file_names_it()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("workshop-validation-").FullName, "broken.ipynb");
        File.WriteAllText(path, $$"""{{{Header}}, "cells": null}""");
        var error = Assert.Throws<NotebookFormatException>(() => NotebookFile.Read(path));
        Assert.Equal($"'{path}' is not a valid notebook: 'cells' must be a list of cells, not null.", error.Message);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }
}
