// The KPI policy extension: starts `kpi lsp` (the path and the message
// language come from the settings `kpi.path` and `kpi.lang`) and connects
// VS Code to it. Everything else — diagnostics, hover, navigation, rename,
// completion, formatting, semantic highlighting — comes from the server.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

function createClient() {
  const config = vscode.workspace.getConfiguration('kpi');
  const command = config.get('path') || 'kpi';
  const lang = config.get('lang');
  const serverOptions = { command, args: ['lsp'] };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'kpi' },
      { scheme: 'untitled', language: 'kpi' },
    ],
    initializationOptions: lang ? { lang } : {},
  };
  return new LanguageClient('kpi', 'KPI policy language server', serverOptions, clientOptions);
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  client = createClient();
  await client.start();
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration('kpi')) {
        return;
      }
      // A new binary or language: restart the server with it.
      if (client) {
        await client.stop();
      }
      client = createClient();
      await client.start();
    }),
  );
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
