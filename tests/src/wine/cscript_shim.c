/*
 * cscript.exe for the Wine prefixes of the end-to-end tests (see ../wine.rs).
 *
 * Wine 8's cscript rejects the //U switch (it exits with 1 and prints nothing), and the
 * activator always passes //U so that Windows' cscript writes UTF-16LE whatever the code
 * page. This stand-in runs Wine's own cscript, kept beside it as cscript-wine.exe, without
 * //U, and when //U was asked for re-encodes that output from the OEM code page (the one
 * Wine's cscript writes in) to UTF-16LE without a byte-order mark. Everything else (the
 * other switches, standard input and error, the exit code) passes through unchanged.
 */
#include <windows.h>
#include <stdlib.h>
#include <wchar.h>

int wmain(int argc, wchar_t **argv)
{
    wchar_t program[MAX_PATH];
    UINT length = GetSystemDirectoryW(program, MAX_PATH - 20);
    if (length == 0 || length >= MAX_PATH - 20) return 1;
    wcscat(program, L"\\cscript-wine.exe");

    /* The command line: the program, then every argument but //U, quoted when needed. */
    size_t capacity = wcslen(program) + 3;
    for (int i = 1; i < argc; i++) capacity += wcslen(argv[i]) + 3;
    wchar_t *command = calloc(capacity, sizeof(wchar_t));
    if (command == NULL) return 1;
    wcscat(command, L"\"");
    wcscat(command, program);
    wcscat(command, L"\"");
    int unicode = 0;
    for (int i = 1; i < argc; i++) {
        if (_wcsicmp(argv[i], L"//U") == 0) {
            unicode = 1;
            continue;
        }
        int quote = wcschr(argv[i], L' ') != NULL || argv[i][0] == L'\0';
        wcscat(command, quote ? L" \"" : L" ");
        wcscat(command, argv[i]);
        if (quote) wcscat(command, L"\"");
    }

    SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
    HANDLE read_end, write_end;
    if (!CreatePipe(&read_end, &write_end, &inherit, 0)) return 1;
    SetHandleInformation(read_end, HANDLE_FLAG_INHERIT, 0);
    STARTUPINFOW startup = { sizeof startup };
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    startup.hStdOutput = write_end;
    startup.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    PROCESS_INFORMATION process;
    if (!CreateProcessW(program, command, NULL, NULL, TRUE, 0, NULL, NULL, &startup, &process))
        return 1;
    CloseHandle(write_end);

    size_t used = 0, size = 4096;
    char *output = malloc(size);
    DWORD n;
    while (output != NULL && ReadFile(read_end, output + used, (DWORD)(size - used), &n, NULL) && n > 0) {
        used += n;
        if (used == size) output = realloc(output, size *= 2);
    }
    if (output == NULL) return 1;
    WaitForSingleObject(process.hProcess, INFINITE);
    DWORD code = 1;
    GetExitCodeProcess(process.hProcess, &code);

    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    DWORD written;
    if (unicode && used > 0) {
        int units = MultiByteToWideChar(CP_OEMCP, 0, output, (int)used, NULL, 0);
        wchar_t *wide = calloc(units, sizeof(wchar_t));
        if (wide == NULL) return 1;
        MultiByteToWideChar(CP_OEMCP, 0, output, (int)used, wide, units);
        WriteFile(out, wide, (DWORD)(units * sizeof(wchar_t)), &written, NULL);
    } else if (used > 0) {
        WriteFile(out, output, (DWORD)used, &written, NULL);
    }
    return (int)code;
}
