// SOC Bridge on Azure: an App Service plan, a Linux Web App running Node 22, the Azure Bot
// registration (SingleTenant, Teams channel) pointing at the Web App's /api/messages and, when
// postgresEnabled, an Azure Database for PostgreSQL Flexible Server that holds the state instead
// of the embedded store, so that the plan may run more than one instance.
// Deployed by teamsapp.yml's `arm/deploy`; its outputs are written back to env/.env.<env>.

@maxLength(20)
@minLength(4)
@description('Base name of every resource; teamsapp.yml passes a per-environment suffix so names stay unique.')
param resourceBaseName string

@description('App Service plan SKU. B1 is the smallest tier with Always On, which the alert poller needs.')
param webAppSku string = 'B1'

@minValue(1)
@maxValue(30)
@description('Instances of the Web App (the plan\'s capacity; the SKU sets the maximum, e.g. 3 for B1). More than one needs postgresEnabled and a Defender app: the embedded store and the sandbox\'s emulated tenants belong to one process, and a second instance on the same data folder refuses to start.')
param instanceCount int = 1

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

@maxLength(100)
@description('Name of the organisation that runs SOC Bridge (the MSSP), shown on its about, privacy and terms pages; "none" describes it as "the MSSP".')
param operatorName string = 'none'

@description('Email address or https URL where people ask the operator about their data, shown on those pages; "none" for no contact line.')
param operatorContact string = 'none'

@description('Create an Azure Database for PostgreSQL Flexible Server and keep the state there (DATABASE_URL) instead of in the embedded store under /home/data.')
param postgresEnabled bool = false

@description('Compute size of the PostgreSQL server, e.g. Standard_B1ms (Burstable), Standard_D2ds_v5 (GeneralPurpose).')
param postgresSkuName string = 'Standard_B1ms'

@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
@description('Compute tier of postgresSkuName.')
param postgresSkuTier string = 'Burstable'

@allowed([
  '16'
  '17'
])
@description('PostgreSQL major version.')
param postgresVersion string = '17'

@minValue(32)
@description('Storage of the PostgreSQL server in GB (32 is the smallest size offered).')
param postgresStorageSizeGB int = 32

@description('Administrator login of the PostgreSQL server, which SOC Bridge connects as. It cannot be changed once the server exists.')
param postgresAdminLogin string = 'socbridge'

@secure()
@description('Password of the PostgreSQL administrator (8 to 128 characters from three of: upper case, lower case, digits, symbols); "none" when postgresEnabled is false.')
param postgresAdminPassword string = 'none'

param location string = resourceGroup().location

// The toolkit refuses empty placeholders in the parameters file, so "none" stands for "not set".
var defenderConfigured = !empty(defenderClientId) && toLower(defenderClientId) != 'none'
var effectiveBotTenantId = empty(botTenantId) ? subscription().tenantId : botTenantId
var appPort = '8080'
var databaseName = 'socbridge'
// Flexible Server names are global DNS labels: lower case letters, digits and hyphens.
var postgresServerName = toLower('${resourceBaseName}-db')

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: resourceBaseName
  location: location
  kind: 'linux'
  sku: {
    name: webAppSku
    capacity: instanceCount
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
    // Any instance may answer any request (Teams activities, consent redirects): no sticky sessions.
    clientAffinityEnabled: false
    siteConfig: {
      linuxFxVersion: 'NODE|22-lts'
      appCommandLine: 'node dist/main.js'
      // The poller and per-conversation send queues live in the process: it must not idle out.
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      // With several instances the load balancer takes out one that cannot serve (its database
      // unreachable, or stopping): /readyz says so, /healthz only that the process is alive.
      healthCheckPath: instanceCount > 1 ? '/readyz' : '/healthz'
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

var operatorSettings = union(
  empty(operatorName) || toLower(operatorName) == 'none' ? {} : { OPERATOR_NAME: operatorName },
  empty(operatorContact) || toLower(operatorContact) == 'none' ? {} : { OPERATOR_CONTACT: operatorContact }
)

var defenderSettings = {
  DEFENDER_CLIENT_ID: defenderClientId
  DEFENDER_CLIENT_SECRET: defenderClientSecret
  CONSENT_STATE_SECRET: consentStateSecret
}

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2025-08-01' = if (postgresEnabled) {
  name: postgresServerName
  location: location
  sku: {
    name: postgresSkuName
    tier: postgresSkuTier
  }
  properties: {
    version: postgresVersion
    administratorLogin: postgresAdminLogin
    administratorLoginPassword: postgresAdminPassword
    storage: {
      storageSizeGB: postgresStorageSizeGB
    }
    // Public access limited by the firewall rule below. For private access, integrate the Web App
    // with a virtual network and give the server a delegated subnet (network.delegatedSubnetResourceId).
    network: {
      publicNetworkAccess: 'Enabled'
    }
  }
}

// The server applies one change at a time, so its children are created one after another.
resource postgresSecureTransport 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2025-08-01' = if (postgresEnabled) {
  parent: postgres
  name: 'require_secure_transport'
  properties: {
    value: 'on'
    source: 'user-override'
  }
}

resource postgresDatabase 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2025-08-01' = if (postgresEnabled) {
  parent: postgres
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
  dependsOn: [
    postgresSecureTransport
  ]
}

// 0.0.0.0 to 0.0.0.0 admits connections from Azure services (the Web App's outbound addresses
// among them, but also other Azure tenants' resources): the password and TLS remain the guard.
resource postgresFirewall 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2025-08-01' = if (postgresEnabled) {
  parent: postgres
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
  dependsOn: [
    postgresDatabase
  ]
}

// Used only when postgresEnabled (ARM evaluates the branch of a condition it takes). The password
// reaches the app inside an app setting, as BOT_PASSWORD does: this template keeps no Key Vault.
// User and password are URL-encoded; TLS is set by DATABASE_SSL, never in the URL.
var databaseSettings = {
  DATABASE_URL: 'postgresql://${uriComponent(postgresAdminLogin)}:${uriComponent(postgresAdminPassword)}@${postgres.properties.fullyQualifiedDomainName}:5432/${databaseName}'
  // Azure's server certificates chain to authorities Node already trusts.
  DATABASE_SSL: 'verify-full'
}

resource webAppSettings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: webApp
  name: 'appsettings'
  // Without Defender credentials the bot starts in sandbox mode, so both are left out together.
  // Without PostgreSQL the state stays in DATA_DIR.
  properties: union(coreSettings, operatorSettings, defenderConfigured ? defenderSettings : {}, postgresEnabled ? databaseSettings : {})
  dependsOn: [
    postgresFirewall
  ]
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
