// SOC Bridge on Azure: an App Service plan, a Linux Web App running Node 20, and the Azure Bot
// registration (SingleTenant, Teams channel) pointing at the Web App's /api/messages.
// Deployed by teamsapp.yml's `arm/deploy`; its outputs are written back to env/.env.<env>.

@maxLength(20)
@minLength(4)
@description('Base name of every resource; teamsapp.yml passes a per-environment suffix so names stay unique.')
param resourceBaseName string

@description('App Service plan SKU. B1 is the smallest tier with Always On, which the alert poller needs.')
param webAppSku string = 'B1'

@maxLength(42)
@description('Display name of the Azure Bot registration.')
param botDisplayName string

@description('Client (application) id of the bot\'s Entra app registration, created by aadApp/create.')
param botAadAppClientId string

@secure()
@description('Client secret of the bot\'s Entra app registration.')
param botAadAppClientSecret string

@description('Entra tenant of the bot app registration. Empty means the subscription\'s tenant.')
param botTenantId string = ''

@description('Comma-separated Entra object ids of the bootstrap SOC admins.')
param socAdminIds string

@description('Client id of the MSSP\'s multi-tenant Defender app; "none" deploys the sandbox (emulated tenants).')
param defenderClientId string = 'none'

@secure()
@description('Client secret of the Defender app; "none" when defenderClientId is "none".')
param defenderClientSecret string = 'none'

@secure()
@description('Random text (at least 32 characters) that signs admin-consent links; required with a Defender app, kept stable so links already sent keep working.')
param consentStateSecret string = 'none'

param location string = resourceGroup().location

// The toolkit refuses empty placeholders in the parameters file, so "none" stands for "not set".
var defenderConfigured = !empty(defenderClientId) && toLower(defenderClientId) != 'none'
var effectiveBotTenantId = empty(botTenantId) ? subscription().tenantId : botTenantId
var appPort = '8080'

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: resourceBaseName
  location: location
  kind: 'linux'
  sku: {
    name: webAppSku
  }
  properties: {
    // Required for a Linux plan.
    reserved: true
  }
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: resourceBaseName
  location: location
  kind: 'app,linux'
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      appCommandLine: 'node dist/main.js'
      // The poller and per-conversation send queues live in the process: it must not idle out.
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      healthCheckPath: '/healthz'
    }
  }
}

var coreSettings = {
  // The package ships a built dist/ and its node_modules; Oryx must not rebuild it.
  SCM_DO_BUILD_DURING_DEPLOYMENT: 'false'
  // /home is the App Service share that survives restarts and redeploys: the store lives there.
  WEBSITES_ENABLE_APP_SERVICE_STORAGE: 'true'
  WEBSITES_PORT: appPort
  PORT: appPort
  HOST: '0.0.0.0'
  PUBLIC_BASE_URL: 'https://${webApp.properties.defaultHostName}'
  DATA_DIR: '/home/data'
  LOG_LEVEL: 'info'
  BOT_ID: botAadAppClientId
  BOT_PASSWORD: botAadAppClientSecret
  BOT_TYPE: 'SingleTenant'
  BOT_TENANT_ID: effectiveBotTenantId
  SOC_ADMIN_IDS: socAdminIds
}

var defenderSettings = {
  DEFENDER_CLIENT_ID: defenderClientId
  DEFENDER_CLIENT_SECRET: defenderClientSecret
  CONSENT_STATE_SECRET: consentStateSecret
}

resource webAppSettings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: webApp
  name: 'appsettings'
  // Without Defender credentials the bot starts in sandbox mode, so both are left out together.
  properties: union(coreSettings, defenderConfigured ? defenderSettings : {})
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: resourceBaseName
  // Bot registrations are global resources.
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: 'F0'
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppId: botAadAppClientId
    // New multi-tenant registrations are no longer accepted.
    msaAppType: 'SingleTenant'
    msaAppTenantId: effectiveBotTenantId
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

// Written to env/.env.<env> by arm/deploy and used by the deploy stage and the manifest.
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
