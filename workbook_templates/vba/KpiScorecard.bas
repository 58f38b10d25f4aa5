Attribute VB_Name = "KpiScorecard"
' KpiScorecard: the "Regenerate scorecards" button of the performance workbook.
'
' The button runs RegenerateScorecards, which calls the packaged command line
' (kpi-scorecard\kpi-scorecard.exe, unzipped beside this workbook):
'     kpi-scorecard.exe regenerate "<this workbook>" -o "<folder>\<name> - Scorecards.xlsx"
' All the rules live in the executable (kpi_core); this module holds none.
' Exit codes of the executable: 0 done, 1 the data has errors, 2 a file problem.
'
' KpiScorecardDiagnostic and KpiScorecardSelfTest touch no file and no shell;
' they prove the module loads and runs (the tests run them in LibreOffice).
Option Explicit

Private Const EXE_FOLDER As String = "kpi-scorecard"
Private Const EXE_NAME As String = "kpi-scorecard.exe"
Private Const OUTPUT_SUFFIX As String = " - Scorecards.xlsx"
Private Const LOG_NAME As String = "kpi-scorecard-regenerate.log"
Private Const LOG_LINES_SHOWN As Long = 12
' A message box shows about 1,024 characters: long log lines are cut to keep the first ones in view.
Private Const LOG_LINE_CHARS As Long = 160
Private Const DIALOG_TITLE As String = "KPI Scorecard"
Private Const DIAGNOSTIC_OK As String = "KpiScorecard module OK"

Public KpiScorecardLastSelfTest As String

' Regenerate the committee scorecards from the saved copy of this workbook.
Public Sub RegenerateScorecards()
    Dim exePath As String, outPath As String, logPath As String
    Dim cmd As String, exitCode As Long

    On Error GoTo Failed
    Application.StatusBar = "KPI Scorecard: checking the workbook..."

    If ThisWorkbook.Path = "" Then
        MsgBox "Save this workbook first: the scorecard program reads the saved file.", _
            vbExclamation, DIALOG_TITLE
        GoTo Done
    End If
    If LCase$(Left$(ThisWorkbook.Path, 4)) = "http" Then
        MsgBox "This workbook is open from a web location (" & ThisWorkbook.Path & ")." & vbCrLf & _
            "Save a copy to a folder on this computer and run the button there.", _
            vbExclamation, DIALOG_TITLE
        GoTo Done
    End If

    If Not ThisWorkbook.Saved Then
        If MsgBox("This workbook has unsaved changes." & vbCrLf & _
                  "The scorecard program reads the saved file, so unsaved changes are not included." & _
                  vbCrLf & vbCrLf & "Save the workbook now? (No: use the last saved version.)", _
                  vbYesNo + vbQuestion, DIALOG_TITLE) = vbYes Then
            ThisWorkbook.Save
        End If
    End If

    exePath = ExecutablePath(ThisWorkbook.Path)
    If Not CreateObject("Scripting.FileSystemObject").FileExists(exePath) Then
        MsgBox "The scorecard program was not found at:" & vbCrLf & exePath & vbCrLf & vbCrLf & _
            "To install it, unzip the kpi-scorecard folder (the one containing " & EXE_NAME & ") " & _
            "into the folder of this workbook:" & vbCrLf & ThisWorkbook.Path, _
            vbExclamation, DIALOG_TITLE
        GoTo Done
    End If

    outPath = ScorecardPath(ThisWorkbook.FullName)
    logPath = Environ$("TEMP") & "\" & LOG_NAME
    cmd = RegenerateCommand(exePath, ThisWorkbook.FullName, outPath, logPath)

    Application.StatusBar = "KPI Scorecard: regenerating the scorecards (this can take a few seconds)..."
    exitCode = CreateObject("WScript.Shell").Run(cmd, 0, True)

    If exitCode = 0 Then
        MsgBox "The scorecards were written to:" & vbCrLf & outPath & vbCrLf & vbCrLf & _
            FirstLines(logPath, LOG_LINES_SHOWN), vbInformation, DIALOG_TITLE
    Else
        MsgBox "The scorecards were not written (exit code " & exitCode & ")." & vbCrLf & _
            ExitCodeMeaning(exitCode) & vbCrLf & vbCrLf & _
            "First lines of the log (" & logPath & "):" & vbCrLf & FirstLines(logPath, LOG_LINES_SHOWN), _
            vbExclamation, DIALOG_TITLE
    End If

Done:
    Application.StatusBar = False
    Exit Sub

Failed:
    Application.StatusBar = False
    MsgBox "The scorecards could not be regenerated:" & vbCrLf & Err.Description, vbCritical, DIALOG_TITLE
End Sub

' A known string once the module's own helpers behave; no file or shell access.
Public Function KpiScorecardDiagnostic() As String
    Dim problem As String

    If ScorecardPath("C:\Perf\Book Q2.xlsm") <> "C:\Perf\Book Q2 - Scorecards.xlsx" Then
        problem = "ScorecardPath gave '" & ScorecardPath("C:\Perf\Book Q2.xlsm") & "'"
    ElseIf ExecutablePath("C:\Perf") <> "C:\Perf\kpi-scorecard\kpi-scorecard.exe" Then
        problem = "ExecutablePath gave '" & ExecutablePath("C:\Perf") & "'"
    ElseIf RegenerateCommand("C:\a b\k.exe", "C:\c\in.xlsm", "C:\c\out.xlsx", "C:\t\l.log") <> _
           "cmd /s /c """"C:\a b\k.exe"" regenerate ""C:\c\in.xlsm"" -o ""C:\c\out.xlsx"" > ""C:\t\l.log"" 2>&1""" Then
        problem = "RegenerateCommand gave '" & RegenerateCommand("C:\a b\k.exe", "C:\c\in.xlsm", "C:\c\out.xlsx", "C:\t\l.log") & "'"
    ElseIf Shortened("abcdefgh", 6) <> "abc..." Or Shortened("abc", 6) <> "abc" Then
        problem = "Shortened gave '" & Shortened("abcdefgh", 6) & "'"
    ElseIf InStr(ExitCodeMeaning(1), "errors in the data") = 0 Or InStr(ExitCodeMeaning(2), "open in Excel") = 0 Then
        problem = "ExitCodeMeaning gave '" & ExitCodeMeaning(1) & "' / '" & ExitCodeMeaning(2) & "'"
    End If

    If problem = "" Then
        KpiScorecardDiagnostic = DIAGNOSTIC_OK
    Else
        KpiScorecardDiagnostic = "KpiScorecard self-check failed: " & problem
    End If
End Function

' Run the diagnostic and keep its result (Immediate window in the VBA editor: Ctrl+G).
Public Sub KpiScorecardSelfTest()
    KpiScorecardLastSelfTest = KpiScorecardDiagnostic()
    Debug.Print KpiScorecardLastSelfTest
End Sub

' <folder>\kpi-scorecard\kpi-scorecard.exe
Private Function ExecutablePath(ByVal folder As String) As String
    ExecutablePath = folder & "\" & EXE_FOLDER & "\" & EXE_NAME
End Function

' C:\x\Book.xlsm -> C:\x\Book - Scorecards.xlsx
Private Function ScorecardPath(ByVal bookFullName As String) As String
    Dim slash As Long, dot As Long
    slash = InStrRev(bookFullName, "\")
    dot = InStrRev(bookFullName, ".")
    If dot <= slash Then dot = Len(bookFullName) + 1
    ScorecardPath = Left$(bookFullName, dot - 1) & OUTPUT_SUFFIX
End Function

' cmd /s /c ""<exe>" regenerate "<book>" -o "<out>" > "<log>" 2>&1"
' /s makes cmd strip exactly the outer pair of quotes and keep the inner ones.
Private Function RegenerateCommand(ByVal exePath As String, ByVal bookPath As String, _
                                   ByVal outPath As String, ByVal logPath As String) As String
    RegenerateCommand = "cmd /s /c """ & Quoted(exePath) & " regenerate " & Quoted(bookPath) & _
        " -o " & Quoted(outPath) & " > " & Quoted(logPath) & " 2>&1"""
End Function

Private Function Shortened(ByVal text As String, ByVal maxChars As Long) As String
    If Len(text) > maxChars Then
        Shortened = Left$(text, maxChars - 3) & "..."
    Else
        Shortened = text
    End If
End Function

Private Function Quoted(ByVal text As String) As String
    Quoted = """" & text & """"
End Function

Private Function ExitCodeMeaning(ByVal exitCode As Long) As String
    Select Case exitCode
    Case 1
        ExitCodeMeaning = "There are errors in the data, each listed in the log with its cell " & _
            "(e.g. Measures!J12). Correct them, save and press the button again. " & _
            "To check the data without regenerating: kpi-scorecard.exe check ""<this workbook>""."
    Case 2
        ExitCodeMeaning = "A file problem: the workbook could not be read, or the scorecard " & _
            "file could not be written - close it if it is open in Excel and press the button again."
    Case Else
        ExitCodeMeaning = "The scorecard program stopped unexpectedly."
    End Select
End Function

' Up to maxLines lines of a text file, or a note that it could not be read.
' FileSystemObject rather than Dir/Open, which fail on paths outside the ANSI code page.
Private Function FirstLines(ByVal filePath As String, ByVal maxLines As Long) As String
    Dim fso As Object, stream As Object, count As Long, result As String

    On Error GoTo Unreadable
    Set fso = CreateObject("Scripting.FileSystemObject")
    If Not fso.FileExists(filePath) Then
        FirstLines = "(no log was written)"
        Exit Function
    End If
    Set stream = fso.OpenTextFile(filePath, 1)
    Do While Not stream.AtEndOfStream And count < maxLines
        result = result & Shortened(stream.ReadLine, LOG_LINE_CHARS) & vbCrLf
        count = count + 1
    Loop
    If Not stream.AtEndOfStream Then result = result & "..." & vbCrLf
    stream.Close
    FirstLines = result
    Exit Function

Unreadable:
    FirstLines = "(the log could not be read: " & Err.Description & ")"
End Function
