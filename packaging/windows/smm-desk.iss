; Inno Setup 6 script: a per-user installer for SMM Desk (no administrator rights).
;
; Built by `python packaging\build.py --installer` after the PyInstaller bundle,
; which passes the version and folders:
;   ISCC.exe /DAppVersion=0.1.0 /DSourceDir=dist\smm-desk /DOutputDir=dist
;            /DOutputBaseFilename=SMM-Desk-0.1.0-setup packaging\windows\smm-desk.iss
;
; Installs into %LOCALAPPDATA%\Programs\SMM Desk, adds a Start-menu entry (and
; an optional desktop icon) for the windowed "SMM Desk.exe", registers an
; uninstaller under Apps & features (per user). The console smm-desk.exe — the
; command line — sits beside it. Uninstalling removes the program's files only:
; the database, logs and settings in the user's data folder stay (the user's
; work), and tokens stay in Windows Credential Manager until the accounts are
; removed in the app.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\smm-desk"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef OutputBaseFilename
  #define OutputBaseFilename "SMM-Desk-" + AppVersion + "-setup"
#endif
#define AppName "SMM Desk"
#define AppExe "SMM Desk.exe"

[Setup]
; A fixed id: upgrades replace the installed version, the uninstaller finds it.
AppId={{6F2C51B4-3E8A-4D6B-9C1F-5A7D2E9B0C31}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=SMM Desk
VersionInfoVersion={#AppVersion}
; Per user: no UAC prompt, files under the user's profile.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UsedUserAreasWarning=no
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename={#OutputBaseFilename}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}
; A running SMM Desk is closed (Restart Manager) before its files are replaced.
CloseApplications=yes
SetupLogging=yes

[Languages]
; Inno Setup ships no Vietnamese among its official translations; Vietnamese
; Windows users get the English wizard (the app itself follows the OS language).
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "russian"; MessagesFile: "compiler:Languages\Russian.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; A previous version's bundled libraries must not mix with this one's.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"
