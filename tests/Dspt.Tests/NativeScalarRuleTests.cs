using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Operations;

namespace Dspt.Tests;

/// <summary>
/// Pins docs/native-scalars.md: compiles the project's sources with Roslyn and lists every
/// TorchSharp <c>Scalar</c> that could be freed by its finalizer while native code still uses
/// it: an implicit or explicit conversion (a number written where a Scalar is expected) that is
/// not stored, a Scalar-returning call used directly as an argument, and a Scalar local not
/// declared with <c>using</c> (the Dispose call is what keeps it reachable until the end of its
/// scope); and TorchSharp's operators between a tensor and a number, which make such a temporary
/// themselves.
/// </summary>
public class NativeScalarRuleTests
{
    [Theory, Trait("Category", "Slow")]
    [InlineData("src/Dspt.Core")]
    [InlineData("src/Dspt.Cli")]
    [InlineData("bench/Dspt.Bench")]
    public void No_temporary_scalar_reaches_native_code(string project)
    {
        var compilation = Compile(project);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id is not ("CS0619" or "CS8795")).Take(5).ToList();
        Assert.True(errors.Count == 0, $"the {project} sources did not compile here, so the check would be meaningless: {string.Join("; ", errors)}");
        var scalar = compilation.GetTypeByMetadataName("TorchSharp.Scalar");
        Assert.NotNull(scalar);

        var findings = new List<string>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            // Implicit conversions have no syntax of their own: walk each operation tree from its root.
            var roots = tree.GetRoot().DescendantNodes().Select(n => model.GetOperation(n)).Where(o => o is { Parent: null });
            foreach (var op in roots.SelectMany(r => r!.DescendantsAndSelf()))
            {
                string? problem = Problem(op, scalar);
                if (problem is null) continue;
                var line = tree.GetLineSpan(op.Syntax.Span).StartLinePosition.Line + 1;
                findings.Add($"{Path.GetRelativePath(Repo.Root, tree.FilePath)}:{line}: {problem}: {op.Syntax}");
            }
        }
        Assert.True(findings.Count == 0, $"{findings.Count} temporary Scalar(s) (see docs/native-scalars.md):\n" + string.Join("\n", findings.Distinct()));
    }

    static string? Problem(IOperation op, INamedTypeSymbol scalar)
    {
        switch (op)
        {
            case IConversionOperation c when c.OperatorMethod is not null && SymbolEqualityComparer.Default.Equals(c.Type, scalar):
                return Stored(c) ? null : "a number converted to a temporary Scalar";
            // TorchSharp 0.107's operators with a number (tensor * 0.5, 1 - tensor) convert it to a Scalar inside without keeping it alive.
            case IBinaryOperation { OperatorMethod: { } m } when TakesNumber(m, scalar):
            case ICompoundAssignmentOperation { OperatorMethod: { } m2 } when TakesNumber(m2, scalar):
                return "a TorchSharp operator with a number operand (it makes a temporary Scalar inside)";
            // add(x), add_(x), addcdiv(a, b) and tensor + tensor pass TorchSharp's own temporary alpha/value of 1.
            case IBinaryOperation { OperatorMethod: { } plus } when plus.Name == "op_Addition" && InTorchSharp(plus, scalar):
                return "tensor + tensor (TorchSharp adds with a temporary alpha Scalar; use .add(y, NativeScalars.One))";
            case IInvocationOperation call when InTorchSharp(call.TargetMethod, scalar) && HiddenOne.Contains(call.TargetMethod.Name)
                && call.TargetMethod.Parameters.Length == HiddenOneArity(call.TargetMethod.Name):
                return $"{call.TargetMethod.Name} without its Scalar argument (TorchSharp passes a temporary 1)";
            case IInvocationOperation i when SymbolEqualityComparer.Default.Equals(i.Type, scalar) && i.Parent is IArgumentOperation:
                return "a Scalar created inside a call's arguments";
            case IVariableDeclaratorOperation v when SymbolEqualityComparer.Default.Equals(v.Symbol.Type, scalar):
                return IsUsing(v) ? null : "a Scalar local without 'using'";
            default:
                return null;
        }
    }

    static readonly string[] HiddenOne = ["add", "add_", "addcdiv", "addcdiv_", "addcmul", "addcmul_"];

    static int HiddenOneArity(string name) => name.StartsWith("addc", StringComparison.Ordinal) ? 2 : 1;

    static bool InTorchSharp(IMethodSymbol method, INamedTypeSymbol scalar) =>
        SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, scalar.ContainingAssembly);

    static bool TakesNumber(IMethodSymbol method, INamedTypeSymbol scalar) =>
        InTorchSharp(method, scalar)
        && method.Parameters.Any(p => p.Type.SpecialType is SpecialType.System_Double or SpecialType.System_Single or SpecialType.System_Int32 or SpecialType.System_Int64);

    /// <summary>The conversion initialises a field or a local (whose own rule is checked separately).</summary>
    static bool Stored(IOperation op)
    {
        var parent = op.Parent;
        return parent is IFieldInitializerOperation or IVariableInitializerOperation or IPropertyInitializerOperation
            || (parent is ISimpleAssignmentOperation a && a.Target is IFieldReferenceOperation or IPropertyReferenceOperation);
    }

    static bool IsUsing(IOperation op)
    {
        for (var p = op.Parent; p is not null; p = p.Parent)
            if (p is IUsingDeclarationOperation or IUsingOperation) return true;
            else if (p is IBlockOperation) return false;
        return false;
    }

    static CSharpCompilation Compile(string project)
    {
        var dir = Path.Combine(Repo.Root, project);
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, f))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, parse, "ImplicitUsings.cs"))
            .ToList();
        string own = Path.GetFileName(dir) + ".dll";
        string[] skip = [own, "dspt.dll", "Dspt.Tests.dll"];   // the project itself (the CLI's assembly is dspt.dll) and the tests
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll");
        // The test host lists the tests' folder among the platform assemblies too: filter both.
        var references = platform.Concat(local)
            .Where(f => !skip.Contains(Path.GetFileName(f), StringComparer.OrdinalIgnoreCase) && (own != "Dspt.Core.dll" || !Path.GetFileName(f).StartsWith("Dspt.", StringComparison.Ordinal)))
            .GroupBy(Path.GetFileName).Select(g => MetadataReference.CreateFromFile(g.First()));
        return CSharpCompilation.Create(Path.GetFileNameWithoutExtension(own) + ".Check", trees, references,
            new CSharpCompilationOptions(trees.Any(t => t.GetCompilationUnitRoot().Members.OfType<Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax>().Any()) ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
    }

    // CS8795: a [LibraryImport] method's body comes from a source generator, which this compilation does not run.
    // CS0619 (an obsolete member used as an error) comes from the newer SkiaSharp that the tests' folder holds; it does not affect binding.
    // The SDK's ImplicitUsings for a plain library/console project.
    const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;
}
