//! Calls every method of the real Windows [`System`] once and prints what it answered: a
//! check of the Windows layer on a real PC or under Wine, without the activator's flow.
//!
//! Usage: `system_probe.exe HOST:PORT URL`, e.g. `system_probe.exe 127.0.0.1:1688
//! http://127.0.0.1:8000/`. It writes two small VBScripts to `%TEMP%\system-probe\` and
//! runs them with `cscript` with and without `//U`, printing the exact output bytes, so
//! the output encoding of a given `cscript` can be seen. It does not ask for elevation
//! (the manifest goes into `activator.exe` only).
//!
//! [`System`]: activator::system::System

#[cfg(windows)]
fn main() -> std::process::ExitCode {
    probe::main()
}

#[cfg(not(windows))]
fn main() {
    eprintln!("system_probe calls the Windows layer and is Windows-only");
}

#[cfg(windows)]
mod probe {
    use std::path::PathBuf;
    use std::process::ExitCode;
    use std::time::{Duration, Instant};

    use activator::system::windows::WindowsSystem;
    use activator::system::{Hive, HttpRequest, System};

    /// Echoes one line and exits with 3, to see the encoding and whether the exit code
    /// comes through.
    const ECHO_SCRIPT: &str = "WScript.Echo \"x\"\r\nWScript.Quit 3\r\n";
    /// Echoes 產品 (built with ChrW, so the script file itself stays ASCII).
    const CHINESE_SCRIPT: &str = "WScript.Echo \"zh:\" & ChrW(&H7522) & ChrW(&H54C1)\r\n";

    pub fn main() -> ExitCode {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let [tcp_target, url] = args.as_slice() else {
            eprintln!("usage: system_probe HOST:PORT URL");
            return ExitCode::from(2);
        };
        let system = WindowsSystem::new();
        let say = |text: String| system.write_out(&format!("{text}\n"));

        let temp = PathBuf::from(
            system
                .env("TEMP")
                .unwrap_or_else(|| r"C:\Windows\Temp".into()),
        );
        say(format!("env TEMP = {}", temp.display()));
        let folder = temp.join("system-probe");
        let echo = folder.join("echo.vbs");
        let chinese = folder.join("chinese.vbs");
        for (path, script) in [(&echo, ECHO_SCRIPT), (&chinese, CHINESE_SCRIPT)] {
            say(format!(
                "write_file {} = {:?}",
                path.display(),
                system.write_file(path, script.as_bytes())
            ));
        }
        say(format!(
            "exists {} = {}",
            echo.display(),
            system.exists(&echo)
        ));
        say(format!(
            "read_file = {:?}",
            system
                .read_file(&echo)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        ));
        say(format!("list_dir = {:?}", system.list_dir(&folder)));
        say(format!(
            "list_dir (absent) = {:?}",
            system.list_dir(&folder.join("absent"))
        ));

        let system_root = system
            .env("SystemRoot")
            .unwrap_or_else(|| r"C:\Windows".into());
        let cscript = PathBuf::from(system_root).join(r"System32\cscript.exe");
        for script in [&echo, &chinese] {
            let script = script.to_string_lossy();
            for args in [vec!["//nologo", "//U", &script], vec!["//nologo", &script]] {
                let started = Instant::now();
                let output = system.run(&cscript, &args, Duration::from_secs(30));
                say(format!(
                    "run cscript {} ({} ms):",
                    args.join(" "),
                    started.elapsed().as_millis()
                ));
                match output {
                    Ok(output) => {
                        say(format!("  status {}", output.status));
                        say(format!("  stdout {}", hex(&output.stdout)));
                        say(format!("  stderr {}", hex(&output.stderr)));
                    }
                    Err(error) => say(format!("  error {error}")),
                }
            }
        }
        let started = Instant::now();
        let slow = system.run(
            &cscript,
            &["//nologo", r"C:\absent.vbs"],
            Duration::from_secs(30),
        );
        say(format!(
            "run cscript (absent script) = {:?} in {} ms",
            slow.map(|o| o.status),
            started.elapsed().as_millis()
        ));
        let ping = PathBuf::from(r"C:\Windows\System32\ping.exe");
        let started = Instant::now();
        let killed = system.run(&ping, &["-n", "30", "127.0.0.1"], Duration::from_secs(2));
        say(format!(
            "run ping with a 2 s timeout = status {:?} after {} ms",
            killed.map(|o| o.status),
            started.elapsed().as_millis()
        ));
        say(format!("remove_file = {:?}", system.remove_file(&echo)));
        say(format!("exists after remove = {}", system.exists(&echo)));

        say(format!(
            "registry_string ProductName = {:?}",
            system.registry_string(
                Hive::LocalMachine,
                r"SOFTWARE\Microsoft\Windows NT\CurrentVersion",
                "ProductName"
            )
        ));
        say(format!(
            "registry_string (absent) = {:?}",
            system.registry_string(Hive::CurrentUser, r"Software\Absent", "x")
        ));

        match tcp_target
            .rsplit_once(':')
            .and_then(|(host, port)| Some((host, port.parse::<u16>().ok()?)))
        {
            Some((host, port)) => {
                let addresses = system.resolve(host, port);
                say(format!("resolve {host}:{port} = {addresses:?}"));
                for address in addresses.unwrap_or_default() {
                    say(format!(
                        "tcp_connect {address} = {:?}",
                        system.tcp_connect(address, Duration::from_secs(5))
                    ));
                    // The next port is very likely closed: a refusal must be an error, quickly.
                    let mut closed = address;
                    closed.set_port(port.wrapping_add(1));
                    say(format!(
                        "tcp_connect {closed} = {:?}",
                        system.tcp_connect(closed, Duration::from_secs(5))
                    ));
                }
            }
            None => say(format!(
                "tcp_connect: cannot read {tcp_target} as HOST:PORT"
            )),
        }
        let request = HttpRequest {
            method: "GET",
            url: url.clone(),
            headers: vec![("Accept", "text/html".to_owned())],
            body: Vec::new(),
            timeout: Duration::from_secs(10),
        };
        match system.http(&request) {
            Ok(response) => say(format!(
                "http GET {url} = status {}, Date {:?}, Retry-After {:?}, {} body bytes, starting {:?}",
                response.status,
                response.date,
                response.retry_after,
                response.body.len(),
                String::from_utf8_lossy(&response.body[..response.body.len().min(60)])
            )),
            Err(error) => say(format!("http GET {url} = error {error}")),
        }
        let missing = HttpRequest {
            url: format!("{}/absent-page", url.trim_end_matches('/')),
            ..request
        };
        say(format!(
            "http GET (404) = {:?}",
            system.http(&missing).map(|r| r.status)
        ));

        say(format!("now_utc = {}", system.now_utc()));
        say(format!("local_offset = {}", system.local_offset()));
        let started = Instant::now();
        system.sleep(Duration::from_millis(50));
        say(format!(
            "sleep 50 ms took {} ms",
            started.elapsed().as_millis()
        ));
        say(format!("is_elevated = {}", system.is_elevated()));
        say(format!("machine_guid = {:?}", system.machine_guid()));
        say(format!("os_version = {:?}", system.os_version()));
        say(format!("ui_language = {}", system.ui_language()));
        let mut random = [0u8; 16];
        say(format!(
            "random = {:?} {}",
            system.random(&mut random),
            hex(&random)
        ));
        say(format!("exe_dir = {}", system.exe_dir().display()));
        system.write_out("write_out: 中文輸出 zh-TW ✓\n");
        let started = Instant::now();
        system.wait_for_key();
        say(format!(
            "wait_for_key returned after {} ms",
            started.elapsed().as_millis()
        ));
        ExitCode::SUCCESS
    }

    /// `78 00 0d 00` style, so the encoding of captured output is visible.
    fn hex(bytes: &[u8]) -> String {
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("[{}] {}", bytes.len(), hex.join(" "))
    }
}
